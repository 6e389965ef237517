'use client';

import Link from 'next/link';
import { useState } from 'react';
import { Callout } from '@/components/ui/Callout';
import { Disclosure } from '@/components/ui/Disclosure';
import { Fact, Facts } from '@/components/ui/Facts';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel } from '@/components/ui/Panel';
import { StatusBadge } from '@/components/ui/StatusBadge';
import { Time } from '@/components/ui/Time';
import { useClock } from '@/contexts/ClockContext';
import { useNow } from '@/hooks/useNow';
import { type ExecutionDetail, isActiveStatus } from '@/lib/contracts/executions';
import type { PendingApiRetry } from '@/lib/presentation/executionView';
import { formatCount, formatDuration, formatUsd, formatUsdExact } from '@/lib/presentation/format';
import { CancelRunButton } from './CancelRunButton';
import styles from './Execution.module.css';
import { RerunActions } from './RerunActions';
import { TriggerLink } from './TriggerLink';

/** Claude Code is waiting out an API error: say why, and count down to the retry. */
function RetryNotice({ retry, now }: { retry: PendingApiRetry; now: number }) {
  const secondsLeft = Math.ceil((retry.retryAt - now) / 1000);
  return (
    <Callout tone="warn" testId="execution-api-retry">
      <span role="status">
        {retry.summary}
        {secondsLeft > 0 ? ` · retrying in ${secondsLeft} s` : ' · retrying now'}
      </span>
    </Callout>
  );
}

/**
 * Whether the result text adds anything: a failed run's result is often its error again, and a
 * structured answer has its own labelled view below.
 */
function showsResult({ resultText, errorMessage, structuredOutput }: ExecutionDetail): boolean {
  if (resultText === null || resultText.trim() === '') return false;
  if (structuredOutput !== null && structuredOutput !== undefined) return false;
  return !(errorMessage ?? '').includes(resultText.trim());
}

/** The run at a glance: status, who and what ran, how long, tokens, dollars, and how it ended. */
export function ExecutionHeader({
  execution,
  pendingRetry,
}: {
  execution: ExecutionDetail;
  pendingRetry: PendingApiRetry | null;
}) {
  const running = isActiveStatus(execution.status) && execution.startedAt !== null;
  const clock = useClock();
  const now = useNow(running, clock.now);
  const durationMs =
    execution.durationMs ?? (execution.startedAt === null ? null : Math.max(0, now - execution.startedAt));
  const failed = execution.errorCode !== null || execution.errorMessage !== null;
  const active = isActiveStatus(execution.status);
  const [cancelRequested, setCancelRequested] = useState(false);

  return (
    <>
      <PageHeader
        title={
          <>
            Run #{execution.id} ·{' '}
            <Link href={`/agents/${execution.agentId}`} data-testid="execution-agent">
              {execution.agentName}
            </Link>
            <StatusBadge
              status={active && cancelRequested ? 'cancelling' : execution.status}
              testId="execution-status"
            />
          </>
        }
        actions={
          active ? (
            <CancelRunButton executionId={execution.id} onRequested={setCancelRequested} />
          ) : (
            <RerunActions executionId={execution.id} prompt={execution.prompt} />
          )
        }
      />
      <Panel testId="execution-header" data={{ 'data-execution-id': execution.id }}>
        <Facts>
          <Fact label="Model" testId="execution-model">
            {execution.model}
          </Fact>
          <Fact label="Trigger" testId="execution-trigger">
            <TriggerLink execution={execution} />
          </Fact>
          <Fact label="Started" testId="execution-started-cell">
            <Time
              epochMs={execution.startedAt ?? execution.createdAt}
              format="datetime"
              seconds
              testId="execution-started"
            />
          </Fact>
          <Fact label="Duration" testId="execution-duration">
            {formatDuration(durationMs)}
          </Fact>
          <Fact label="Turns" testId="execution-turns">
            {execution.numTurns}
          </Fact>
          <Fact label="Input tokens" testId="execution-tokens-input">
            {formatCount(execution.inputTokens)}
          </Fact>
          <Fact label="Output tokens" testId="execution-tokens-output">
            {formatCount(execution.outputTokens)}
          </Fact>
          <Fact label="Cache write" testId="execution-tokens-cache-write">
            {formatCount(execution.cacheCreationTokens)}
          </Fact>
          <Fact label="Cache read" testId="execution-tokens-cache-read">
            {formatCount(execution.cacheReadTokens)}
          </Fact>
          <Fact label="Cost" testId="execution-cost">
            {active && execution.costUsd === 0 ? (
              '—'
            ) : (
              <span title={formatUsdExact(execution.costUsd)}>{formatUsd(execution.costUsd)}</span>
            )}
          </Fact>
          <Fact label="API retries" testId="execution-api-retries">
            {execution.apiRetryCount}
          </Fact>
          <Fact label="Attempt" testId="execution-attempt">
            {execution.attempt}
            {execution.nextAttemptAt !== null && (
              <>
                {' '}
                · next{' '}
                <Time epochMs={execution.nextAttemptAt} format="relative" testId="execution-next-attempt" />
              </>
            )}
          </Fact>
          <Fact label="Credential" testId="execution-credential">
            {execution.apiKeySource ?? '—'}
          </Fact>
          <Fact label="Worker" testId="execution-worker">
            {execution.workerId === null ? (
              '—'
            ) : (
              <Link href="/workers" className="mono">
                {execution.workerId}
              </Link>
            )}
          </Fact>
        </Facts>
        {execution.status === 'queued' && execution.waitReason !== null ? (
          <Callout tone="info" testId="execution-wait-reason">
            <span role="status">
              Queued{execution.queuePosition === null ? '' : ` (#${execution.queuePosition})`}:{' '}
              {execution.waitReason}
            </span>
          </Callout>
        ) : null}
        {pendingRetry ? <RetryNotice retry={pendingRetry} now={now} /> : null}
        {failed ? (
          <Callout tone="error" alert testId="execution-error">
            <strong>{execution.errorCode ?? 'error'}</strong>
            {execution.errorMessage ? `: ${execution.errorMessage}` : null}
          </Callout>
        ) : null}
        {showsResult(execution) ? (
          <Callout tone="info" title="Result" testId="execution-result">
            <pre className={styles.result}>{execution.resultText}</pre>
          </Callout>
        ) : null}
        <Disclosure summary="Prompt">
          <pre className={styles.pre} data-testid="execution-prompt">
            {execution.prompt}
          </pre>
        </Disclosure>
      </Panel>
    </>
  );
}
