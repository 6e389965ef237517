'use client';

import { type FormEvent, useState } from 'react';
import { type ApprovalDecision, approvalResponseSchema } from '@/lib/contracts/approvals';
import { apiFetch, errorMessage } from '@/lib/http/client';
import styles from './approve.module.css';

/** The confirmation page's one button: decides what the link stands for, once. */
export function LinkDecision({ token, decision }: { token: string; decision: ApprovalDecision }) {
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { approval } = await apiFetch(`/api/approval-links/${token}`, {
        method: 'POST',
        body: decision === 'deny' && message.trim() !== '' ? { message: message.trim() } : {},
        schema: approvalResponseSchema,
      });
      setDone(
        approval.status === 'allowed'
          ? 'Approved. The run goes on with this call.'
          : 'Denied. The agent was told, and goes on without this call.',
      );
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  if (done)
    return (
      <p className={styles.done} role="status" data-testid="approval-link-done">
        {done}
      </p>
    );
  return (
    <form className={styles.form} onSubmit={onSubmit}>
      {decision === 'deny' && (
        <label>
          Message for the agent (optional)
          <textarea
            value={message}
            onChange={(event) => setMessage(event.target.value)}
            maxLength={2_000}
            data-testid="approval-link-message"
          />
        </label>
      )}
      {error && (
        <p className={styles.error} role="alert" data-testid="approval-link-error">
          {error}
        </p>
      )}
      <button
        type="submit"
        className={`button ${decision === 'allow' ? 'button-primary' : 'button-danger'} ${styles.decide}`}
        disabled={busy}
        data-testid="approval-link-confirm"
      >
        {decision === 'allow' ? 'Approve' : 'Deny'}
      </button>
    </form>
  );
}
