'use client';

import Link from 'next/link';
import { useState } from 'react';
import { Fact } from '@/components/ui/Fact';
import { LocalTime } from '@/components/ui/LocalTime';
import { StatusBadge } from '@/components/ui/StatusBadge';
import { useNow } from '@/hooks/useNow';
import { type ExecutionDetail, isActiveStatus } from '@/lib/contracts/executions';
import type { PendingApiRetry } from '@/lib/presentation/executionView';
import { formatDuration, formatRunCost, formatTokens, triggerLabel } from '@/lib/presentation/format';
import { CancelRunButton } from './CancelRunButton';

/** Claude Code is waiting out an API error: say why, and count down to the retry. */
function RetryNotice({ retry, now }: { retry: PendingApiRetry; now: number }) {
  const secondsLeft = Math.ceil((retry.retryAt - now) / 1000);
  return (
    <div className="callout callout-warn" role="status" data-testid="execution-api-retry">
      {retry.summary}
      {secondsLeft > 0 ? ` · retrying in ${secondsLeft} s` : ' · retrying now'}
    </div>
  );
}

/** The run at a glance: status, who and what ran, how long, tokens, dollars, and how it ended. */
export function ExecutionHeader({
  execution,
  pendingRetry,
  renderedAt,
}: {
  execution: ExecutionDetail;
  pendingRetry: PendingApiRetry | null;
  renderedAt: number;
}) {
  const running = isActiveStatus(execution.status) && execution.startedAt !== null;
  const now = useNow(running, renderedAt);
  const durationMs =
    execution.durationMs ?? (execution.startedAt === null ? null : Math.max(0, now - execution.startedAt));
  const failed = execution.errorCode !== null || execution.errorMessage !== null;
  const active = isActiveStatus(execution.status);
  const [cancelRequested, setCancelRequested] = useState(false);

  return (
    <section className="exec-header" data-testid="execution-header" data-execution-id={execution.id}>
      <div className="exec-title">
        <h1>
          Run #{execution.id} ·{' '}
          <Link href={`/agents/${execution.agentId}`} data-testid="execution-agent">
            {execution.agentName}
          </Link>
        </h1>
        <StatusBadge
          status={active && cancelRequested ? 'cancelling' : execution.status}
          testId="execution-status"
        />
        {active && <CancelRunButton executionId={execution.id} onRequested={setCancelRequested} />}
      </div>
      <dl className="facts">
        <Fact label="Model" testId="execution-model">
          {execution.model}
        </Fact>
        <Fact label="Trigger" testId="execution-trigger">
          {triggerLabel(execution)}
        </Fact>
        <Fact label="Started" testId="execution-started-cell">
          <LocalTime epochMs={execution.startedAt ?? execution.createdAt} testId="execution-started" />
        </Fact>
        <Fact label="Duration" testId="execution-duration">
          {formatDuration(durationMs)}
        </Fact>
        <Fact label="Turns" testId="execution-turns">
          {execution.numTurns}
        </Fact>
        <Fact label="Input tokens" testId="execution-tokens-input">
          {formatTokens(execution.inputTokens)}
        </Fact>
        <Fact label="Output tokens" testId="execution-tokens-output">
          {formatTokens(execution.outputTokens)}
        </Fact>
        <Fact label="Cache write" testId="execution-tokens-cache-write">
          {formatTokens(execution.cacheCreationTokens)}
        </Fact>
        <Fact label="Cache read" testId="execution-tokens-cache-read">
          {formatTokens(execution.cacheReadTokens)}
        </Fact>
        <Fact label="Cost" testId="execution-cost">
          {formatRunCost(execution.costUsd, isActiveStatus(execution.status))}
        </Fact>
        <Fact label="API retries" testId="execution-api-retries">
          {execution.apiRetryCount}
        </Fact>
        <Fact label="Attempt" testId="execution-attempt">
          {execution.attempt}
          {execution.nextAttemptAt !== null && (
            <>
              {' '}
              · next at <LocalTime epochMs={execution.nextAttemptAt} testId="execution-next-attempt" />
            </>
          )}
        </Fact>
        <Fact label="Credential" testId="execution-credential">
          {execution.apiKeySource ?? '—'}
        </Fact>
      </dl>
      {pendingRetry ? <RetryNotice retry={pendingRetry} now={now} /> : null}
      {failed ? (
        <div className="callout callout-error" role="alert" data-testid="execution-error">
          <strong>{execution.errorCode ?? 'error'}</strong>
          {execution.errorMessage ? `: ${execution.errorMessage}` : null}
        </div>
      ) : null}
      {execution.resultText !== null && execution.resultText !== '' ? (
        <div className="callout" data-testid="execution-result">
          <h2>Result</h2>
          <pre className="result-text">{execution.resultText}</pre>
        </div>
      ) : null}
      <details className="prompt">
        <summary>Prompt</summary>
        <pre className="step-pre" data-testid="execution-prompt">
          {execution.prompt}
        </pre>
      </details>
    </section>
  );
}
