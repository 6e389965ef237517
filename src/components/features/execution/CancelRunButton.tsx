'use client';

import { useState } from 'react';
import { z } from 'zod';
import { apiFetch, errorMessage } from '@/lib/http/client';

/** Stops a queued or running execution; the caller shows `cancelling` until the server says it ended. */
export function CancelRunButton({
  executionId,
  onRequested,
}: {
  executionId: number;
  /** true when the request goes out, false if the server refused it. */
  onRequested(requested: boolean): void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const cancel = async () => {
    setBusy(true);
    setError(null);
    onRequested(true);
    try {
      await apiFetch(`/api/executions/${executionId}/cancel`, { method: 'POST', schema: z.unknown() });
    } catch (caught) {
      // 409: it ended on its own meanwhile; the live status shows how.
      setError(errorMessage(caught));
      setBusy(false);
      onRequested(false);
    }
  };

  return (
    <span className="cancel-run">
      <button
        type="button"
        className="button button-danger button-small"
        disabled={busy}
        onClick={() => void cancel()}
        data-testid="cancel-run"
      >
        Cancel run
      </button>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
