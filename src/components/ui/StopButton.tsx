'use client';

import { useState } from 'react';
import { z } from 'zod';
import { apiFetch, errorMessage } from '@/lib/http/client';
import { Button } from './Button';
import { ActionError } from './FormParts';

/**
 * Asks the server to stop something that runs (POST `path`); the caller shows it stopping until the
 * server says it ended. A refusal (409: it ended on its own meanwhile) shows beside the button.
 */
export function StopButton({
  path,
  label,
  testId,
  onRequested,
}: {
  path: string;
  label: string;
  testId: string;
  /** true when the request goes out, false if the server refused it. */
  onRequested?(requested: boolean): void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const stop = async () => {
    setBusy(true);
    setError(null);
    onRequested?.(true);
    try {
      await apiFetch(path, { method: 'POST', schema: z.unknown() });
    } catch (caught) {
      setError(errorMessage(caught));
      setBusy(false);
      onRequested?.(false);
    }
  };

  return (
    <>
      <Button variant="danger" disabled={busy} onClick={() => void stop()} data-testid={testId}>
        {label}
      </Button>
      <ActionError error={error} />
    </>
  );
}
