'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { z } from 'zod';
import { apiFetch, errorMessage } from '@/lib/http/client';

export interface ConfirmDeleteButtonProps {
  /** The API path the DELETE goes to. */
  path: string;
  /** The question asked inline, e.g. "Delete Nightly report? Its runs stay in the history." */
  question: string;
  /** Where to go once deleted. */
  then: string;
  /** `<testId>` for the button, `<testId>-confirm` for the confirmation. */
  testId: string;
}

/** Deletes after an inline confirmation, then leaves for another page. */
export function ConfirmDeleteButton({ path, question, then, testId }: ConfirmDeleteButtonProps) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const remove = async () => {
    setDeleting(true);
    setError(null);
    try {
      await apiFetch(path, { method: 'DELETE', schema: z.undefined() });
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
