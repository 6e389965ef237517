import type { Metadata } from 'next';
import { SignInForm } from '@/components/features/auth/SignInForm';
import { CenteredPage } from '@/components/layout/CenteredPage';

export const metadata: Metadata = { title: 'Sign in' };
export const dynamic = 'force-dynamic';

/** Only same-site paths: `next` must not become an open redirect. */
function safeNext(value: string | string[] | undefined): string {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') ? value : '/';
}

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  return (
    <CenteredPage>
      <h1>ClaudeOps</h1>
      <p className="muted">
        Paste the access token: the sign-in link the server printed at first start, <code>npm run token</code>{' '}
        for a new one, or the value of <code>CLAUDEOPS_TOKEN</code>.
      </p>
      <SignInForm next={safeNext(params.next)} />
    </CenteredPage>
  );
}
