'use client';

import { useEffect } from 'react';
import { Button } from '@/components/ui/Button';
import { Callout } from '@/components/ui/Callout';

/** What a page that failed to render shows: a reference to the server's log, and a retry. */
export function ErrorView({ error, reset }: { error: Error & { digest?: string }; reset(): void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <Callout tone="error" alert title="Something went wrong" testId="error-page" as="section">
      <p>The page could not be shown.{error.digest ? ` Reference: ${error.digest}.` : ''}</p>
      <p>
        <Button onClick={reset}>Try again</Button>
      </p>
    </Callout>
  );
}
