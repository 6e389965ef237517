'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { z } from 'zod';
import { apiFetch, errorMessage } from '@/lib/http/client';

/**
 * Deletes through the API after an inline confirmation, then goes to `then`. `testId` names the
 * button; the confirming one is `${testId}-confirm`.
 */
export function ConfirmDeleteButton({
  apiPath,
  question,
  then,
  testId,
}: {
  apiPath: string;
  question: string;
  then: string;
  testId: string;
}) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const remove = async () => {
    setDeleting(true);
    setError(null);
    try {
      await apiFetch(apiPath, { method: 'DELETE', schema: z.undefined() });
      router.push(then);
      router.refresh();
    } catch (caught) {
      setError(errorMessage(caught));
      setDeleting(false);
    }
  };

  if (!confirming) {
    return (
      <button
        type="button"
        className="button button-danger"
        onClick={() => setConfirming(true)}
        data-testid={testId}
      >
        Delete
      </button>
    );
  }
  return (
    <fieldset className="confirm">
      <legend className="visually-hidden">Confirm delete</legend>
      <span>{question}</span>
      <button
        type="button"
        className="button button-danger"
        onClick={remove}
        disabled={deleting}
        data-testid={`${testId}-confirm`}
      >
        {deleting ? 'Deleting…' : 'Yes, delete'}
      </button>
      <button type="button" className="button" onClick={() => setConfirming(false)} disabled={deleting}>
        Cancel
      </button>
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </fieldset>
  );
}
