'use client';

import { CenteredPage } from '@/components/layout/CenteredPage';
import { ErrorView } from '@/components/layout/ErrorView';

export default function ErrorPage(props: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <CenteredPage>
      <ErrorView {...props} />
    </CenteredPage>
  );
}
