import type { Metadata } from 'next';
import { Time } from '@/components/ui/Time';
import { getStore } from '@/lib/db/store';
import { inspectLink } from '@/lib/http/approvals';
import { getRuntime } from '@/lib/server/runtime';
import styles from './approve.module.css';
import { LinkDecision } from './LinkDecision';

export const metadata: Metadata = { title: 'Approve a tool call', robots: { index: false } };
export const dynamic = 'force-dynamic';

/**
 * Where a notification's one-time link lands, outside the console (no session needed): it shows
 * what will be decided, and decides only when its button is pressed (a POST). Opening the link
 * decides nothing, so a link preview or a mail scanner fetching it does no harm.
 */
export default async function ApprovePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const runtime = getRuntime();
  const found = runtime ? await inspectLink(getStore(), runtime, token) : null;
  return (
    <main className={styles.page}>
      <p className={styles.brand}>ClaudeOps</p>
      {!found ? (
        <Problem title="Not available" message="The ClaudeOps server is not running here." />
      ) : !found.ok ? (
        <Problem
          title={found.status === 410 ? 'This link has expired' : 'This link no longer works'}
          message={found.message}
        />
      ) : (
        <section className={styles.card} data-testid="approval-link-card">
          <h1 className={styles.title}>
            {found.claims.decision === 'allow' ? 'Approve' : 'Deny'} this tool call?
          </h1>
          <dl className={styles.facts}>
            <dt>Agent</dt>
            <dd>{found.approval.agentName}</dd>
            <dt>Run</dt>
            <dd>#{found.approval.executionId}</dd>
            <dt>Tool</dt>
            <dd data-testid="approval-link-tool">{found.approval.toolName}</dd>
            {found.approval.reason && (
              <>
                <dt>Why asked</dt>
                <dd>{found.approval.reason}</dd>
              </>
            )}
            <dt>Expires</dt>
            <dd>
              <Time epochMs={found.approval.expiresAt} format="datetime" />
            </dd>
          </dl>
          <h2 className={styles.inputHeading}>Input</h2>
          <pre className={styles.input} data-testid="approval-link-input">
            {JSON.stringify(found.approval.input, null, 2)}
          </pre>
          <LinkDecision token={token} decision={found.claims.decision} />
        </section>
      )}
    </main>
  );
}

function Problem({ title, message }: { title: string; message: string }) {
  return (
    <section className={styles.card} data-testid="approval-link-problem">
      <h1 className={styles.title}>{title}</h1>
      <p className={styles.message}>{message}</p>
    </section>
  );
}
