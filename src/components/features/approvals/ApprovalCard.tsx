'use client';

import Link from 'next/link';
import { useId, useState } from 'react';
import { Badge, type Tone } from '@/components/ui/Badge';
import { Button, ButtonGroup } from '@/components/ui/Button';
import { ActionError, ErrorText } from '@/components/ui/FormParts';
import { Time } from '@/components/ui/Time';
import { useApiAction } from '@/hooks/useApiAction';
import {
  type ApprovalDto,
  type ApprovalStatus,
  approvalResponseSchema,
  type DecideApprovalInput,
} from '@/lib/contracts/approvals';
import { apiFetch } from '@/lib/http/client';
import { APPROVAL_STATUS_WORDS, fileEditsOf, parseEditedInput } from '@/lib/presentation/approvals';
import styles from './Approvals.module.css';
import { InputDiff } from './InputDiff';

const STATUS_TONE: Record<ApprovalStatus, Tone> = {
  pending: 'warn',
  allowed: 'ok',
  denied: 'bad',
  expired: 'neutral',
  cancelled: 'neutral',
};

/** The call's input: a diff for file edits, else its JSON. */
function CallInput({ approval }: { approval: ApprovalDto }) {
  const edits = fileEditsOf(approval.toolName, approval.input);
  if (edits)
    return (
      <>
        {edits.map((edit, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a MultiEdit's edits have no id but their order.
          <InputDiff key={index} edit={edit} />
        ))}
      </>
    );
  return (
    <pre className={styles.input} data-testid="approval-input">
      {JSON.stringify(approval.input, null, 2)}
    </pre>
  );
}

/** Who answered, how and when; or why nobody did. */
function DecisionLine({ approval }: { approval: ApprovalDto }) {
  const { decision } = approval;
  if (!decision)
    return approval.status === 'cancelled' ? (
      <p className={styles.decision}>The run ended while the call waited.</p>
    ) : null;
  return (
    <p className={styles.decision} data-testid="approval-decision">
      {approval.status === 'expired'
        ? `Nobody answered in time: the call was ${approval.onTimeout === 'fail' ? 'refused and the run failed' : 'denied'}`
        : `${decision.decision === 'allow' ? 'Approved' : 'Denied'} via ${decision.decidedChannel}`}{' '}
      <Time epochMs={decision.decidedAt} format="relative" />
      {decision.message ? <>: “{decision.message}”</> : null}
      {decision.updatedInput ? ' (with an edited input)' : null}
      {decision.rememberedRules.length > 0 ? `; remembered ${decision.rememberedRules.join(', ')}` : null}
    </p>
  );
}

type Mode = 'buttons' | 'edit' | 'deny';

/** The answer controls of a waiting call: approve, approve and remember, edit and approve, deny. */
function AnswerControls({
  approval,
  onAnswered,
}: {
  approval: ApprovalDto;
  onAnswered(a: ApprovalDto): void;
}) {
  const { pending, error, run } = useApiAction();
  const [mode, setMode] = useState<Mode>('buttons');
  const [edited, setEdited] = useState(() => JSON.stringify(approval.input, null, 2));
  const [editError, setEditError] = useState<string | null>(null);
  const [message, setMessage] = useState('');
  const fieldId = useId();

  const send = (body: DecideApprovalInput) =>
    run(async () => {
      const answer = await apiFetch(`/api/approvals/${approval.id}`, {
        method: 'POST',
        body,
        schema: approvalResponseSchema,
      });
      onAnswered(answer.approval);
    });

  const approveEdited = () => {
    const parsed = parseEditedInput(edited);
    setEditError(parsed.ok ? null : parsed.message);
    if (parsed.ok) void send({ decision: 'allow', updatedInput: parsed.input });
  };
  const deny = () => {
    const trimmed = message.trim();
    void send(trimmed === '' ? { decision: 'deny' } : { decision: 'deny', message: trimmed });
  };
  const remember = approval.suggestedRules;

  return (
    <div className={styles.answer}>
      {mode === 'buttons' ? (
        <ButtonGroup label="Answer">
          <Button
            variant="primary"
            disabled={pending}
            onClick={() => void send({ decision: 'allow' })}
            data-testid="approval-approve"
          >
            Approve
          </Button>
          {remember.length > 0 ? (
            <Button
              disabled={pending}
              onClick={() => void send({ decision: 'allow', remember: true })}
              data-testid="approval-remember"
              title={`Saves ${remember.join(', ')} in the agent's remembered rules`}
            >
              Approve and remember <span className={styles.rules}>{remember.join(', ')}</span>
            </Button>
          ) : null}
          <Button disabled={pending} onClick={() => setMode('edit')} data-testid="approval-edit">
            Edit and approve
          </Button>
          <Button
            variant="danger"
            disabled={pending}
            onClick={() => setMode('deny')}
            data-testid="approval-deny"
          >
            Deny…
          </Button>
        </ButtonGroup>
      ) : null}
      {mode === 'edit' ? (
        <>
          <label htmlFor={`${fieldId}-input`}>The input to run instead (JSON)</label>
          <textarea
            id={`${fieldId}-input`}
            className={styles.editor}
            spellCheck={false}
            value={edited}
            onChange={(event) => setEdited(event.target.value)}
            aria-invalid={editError !== null}
            aria-describedby={editError ? `${fieldId}-input-error` : undefined}
            data-testid="approval-edit-input"
          />
          {editError ? (
            <ErrorText id={`${fieldId}-input-error`} testId="approval-edit-error">
              {editError}
            </ErrorText>
          ) : null}
          <ButtonGroup>
            <Button
              variant="primary"
              disabled={pending}
              onClick={approveEdited}
              data-testid="approval-edit-confirm"
            >
              Approve this input
            </Button>
            <Button onClick={() => setMode('buttons')}>Back</Button>
          </ButtonGroup>
        </>
      ) : null}
      {mode === 'deny' ? (
        <>
          <label htmlFor={`${fieldId}-message`}>What the model is told (optional)</label>
          <textarea
            id={`${fieldId}-message`}
            rows={2}
            maxLength={2_000}
            value={message}
            onChange={(event) => setMessage(event.target.value)}
            data-testid="approval-deny-message"
          />
          <ButtonGroup>
            <Button variant="danger" disabled={pending} onClick={deny} data-testid="approval-deny-confirm">
              Deny the call
            </Button>
            <Button onClick={() => setMode('buttons')}>Back</Button>
          </ButtonGroup>
        </>
      ) : null}
      <ActionError error={error} testId="approval-answer-error" />
    </div>
  );
}

/**
 * A tool call that waits (or waited) for a person: the tool, why it asked, its input (a diff for
 * file edits), and while it waits, the answers. Answered, expired or dropped, it says so and
 * offers nothing to press.
 */
export function ApprovalCard({ approval, showRun = false }: { approval: ApprovalDto; showRun?: boolean }) {
  const [answered, setAnswered] = useState<ApprovalDto | null>(null);
  const shown = approval.status === 'pending' && answered ? answered : approval;
  const headingId = useId();
  return (
    <article
      className={styles.card}
      aria-labelledby={headingId}
      data-testid="approval-card"
      data-approval-id={shown.id}
      data-status={shown.status}
    >
      <h3 className={styles.head} id={headingId}>
        <span data-testid="approval-tool">{shown.toolName}</span>
        <Badge tone={STATUS_TONE[shown.status]} testId="approval-status">
          {APPROVAL_STATUS_WORDS[shown.status]}
        </Badge>
      </h3>
      <p className={styles.meta}>
        {showRun ? (
          <Link href={`/executions/${shown.executionId}`} data-testid="approval-run">
            {shown.agentName} · run #{shown.executionId}
          </Link>
        ) : null}
        <span>
          asked <Time epochMs={shown.requestedAt} format="relative" />
        </span>
        {shown.status === 'pending' ? (
          <span>
            {shown.onTimeout === 'fail' ? 'fails the run' : 'denied'}{' '}
            <Time epochMs={shown.expiresAt} format="relative" /> without an answer
          </span>
        ) : null}
      </p>
      {shown.title || shown.reason ? <p className={styles.decision}>{shown.title ?? shown.reason}</p> : null}
      <CallInput approval={shown} />
      {shown.status === 'pending' ? (
        <AnswerControls approval={shown} onAnswered={setAnswered} />
      ) : (
        <DecisionLine approval={shown} />
      )}
    </article>
  );
}
