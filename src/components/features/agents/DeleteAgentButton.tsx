'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { z } from 'zod';
import { apiFetch, errorMessage } from '@/lib/http/client';

/** Deletes the agent after an inline confirmation; its past runs and costs stay in the history. */
export function DeleteAgentButton({ agentId, agentName }: { agentId: number; agentName: string }) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const remove = async () => {
    setDeleting(true);
    setError(null);
    try {
      await apiFetch(`/api/agents/${agentId}`, { method: 'DELETE', schema: z.undefined() });
      router.push('/');
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
        data-testid="agent-delete"
      >
        Delete
      </button>
    );
  }
  return (
    <fieldset className="confirm">
      <legend className="visually-hidden">Confirm delete</legend>
      <span>Delete {agentName}? Its runs stay in the history.</span>
      <button
        type="button"
        className="button button-danger"
        onClick={remove}
        disabled={deleting}
        data-testid="agent-delete-confirm"
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
