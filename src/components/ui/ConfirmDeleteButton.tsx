'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { z } from 'zod';
import { useApiAction } from '@/hooks/useApiAction';
import { apiFetch } from '@/lib/http/client';
import { ActionError } from './ActionError';

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
  const { pending, error, run } = useApiAction();

  const remove = () =>
    run(async () => {
      await apiFetch(apiPath, { method: 'DELETE', schema: z.undefined() });
      router.push(then);
      router.refresh();
    });

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
        disabled={pending}
        data-testid={`${testId}-confirm`}
      >
        {pending ? 'Deleting…' : 'Yes, delete'}
      </button>
      <button type="button" className="button" onClick={() => setConfirming(false)} disabled={pending}>
        Cancel
      </button>
      <ActionError error={error} />
    </fieldset>
  );
}
