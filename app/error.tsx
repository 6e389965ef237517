'use client';

import { useEffect } from 'react';

export default function ErrorPage({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  useEffect(() => {
    console.error(error);
  }, [error]);

  return (
    <section className="panel notice" role="alert" data-testid="error-page">
      <h1>Something went wrong</h1>
      <p>The page could not be shown.{error.digest ? ` Reference: ${error.digest}.` : ''}</p>
      <p>
        <button type="button" className="button" onClick={reset}>
          Try again
        </button>
      </p>
    </section>
  );
}
