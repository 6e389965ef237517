import { describe, expect, it } from 'vitest';
import type {
  ExecutionDetail,
  ExecutionStatus,
  ExecutionSummary,
  LogLineDto,
  StepDto,
} from '../../src/lib/contracts/executions';
import {
  countAtOrBelow,
  type ExecutionSnapshot,
  executionReducer,
  initExecutionState,
  isAhead,
  mergeSummaries,
  pendingApiRetry,
} from '../../src/lib/presentation/executionView';

function summary(
  id: number,
  status: ExecutionStatus,
  lastSeq: number,
  extra: Partial<ExecutionSummary> = {},
) {
  return {
    id,
    agentId: 1,
    agentName: 'agent',
    status,
    trigger: 'manual',
    scheduleId: null,
    workflowRunId: null,
    workflowStepKey: null,
    triggerName: null,
    model: 'claude-sonnet-4-5',
    createdAt: 1_000,
    startedAt: 1_000,
    finishedAt: null,
    durationMs: null,
    numTurns: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationTokens: 0,
    cacheReadTokens: 0,
    costUsd: 0,
    errorCode: null,
    errorMessage: null,
    lastSeq,
    queuePosition: null,
    waitReason: null,
    workerId: null,
    apiRetryCount: 0,
    attempt: 1,
    nextAttemptAt: null,
    parentExecutionId: null,
    deniedToolCalls: 0,
    warnings: [],
    ...extra,
  } satisfies ExecutionSummary;
}

function detail(
  status: ExecutionStatus,
  lastSeq: number,
  extra: Partial<ExecutionDetail> = {},
): ExecutionDetail {
  return {
    ...summary(7, status, lastSeq),
    prompt: 'do it',
    resultText: null,
    sessionId: null,
    apiKeySource: null,
    structuredOutput: null,
    forked: false,
    costs: [],
    attempts: [],
    denials: [],
    ...extra,
  };
}

const log = (seq: number, text = `line ${seq}`): LogLineDto => ({ seq, level: 'info', text, createdAt: seq });
const step = (seq: number): StepDto => ({
  seq,
  kind: 'assistant_text',
  summary: `step ${seq}`,
  toolName: null,
  toolUseId: null,
  isError: false,
  payload: { text: `step ${seq}` },
  createdAt: seq,
});

function stateAt(snapshot: Partial<ExecutionSnapshot> = {}) {
  return initExecutionState({
    execution: detail('running', 3),
    steps: [step(1)],
    logs: [log(2), log(3)],
    hasEarlierLogs: false,
    earlierLogCount: 0,
    ...snapshot,
  });
}

describe('isAhead', () => {
  it.each([
    ['completed', 5, 'running', 9, true],
    ['running', 9, 'completed', 5, false],
    ['running', 4, 'queued', 0, true],
    ['running', 5, 'running', 4, true],
    ['running', 5, 'running', 5, false],
    ['failed', 5, 'completed', 5, false],
  ] as const)('%s@%i over %s@%i → %s', (status, seq, incomingStatus, incomingSeq, expected) => {
    expect(isAhead({ status, seq }, { status: incomingStatus, seq: incomingSeq })).toBe(expected);
  });
});

describe('executionReducer', () => {
  it('appends new steps and lines and drops anything at or below what it has', () => {
    const next = executionReducer(stateAt(), {
      type: 'events',
      steps: [step(1), step(5)],
      logs: [log(2), log(3), log(4), log(6), log(6)],
    });
    expect(next.steps.map((s) => s.seq)).toEqual([1, 5]);
    expect(next.logs.map((l) => l.seq)).toEqual([2, 3, 4, 6]);
    expect(next.lastLogSeq).toBe(6);
    expect(next.lastStepSeq).toBe(5);
  });

  it('returns the same state when a replay brings nothing new', () => {
    const state = stateAt();
    expect(executionReducer(state, { type: 'events', steps: [step(1)], logs: [log(3)] })).toBe(state);
  });

  it('takes a newer summary and keeps the fields only the detail has', () => {
    const state = stateAt({ execution: detail('running', 3, { apiKeySource: 'ANTHROPIC_API_KEY' }) });
    const next = executionReducer(state, {
      type: 'updated',
      seq: 9,
      execution: summary(7, 'completed', 9, { inputTokens: 2_400 }),
    });
    expect(next.execution.status).toBe('completed');
    expect(next.execution.inputTokens).toBe(2_400);
    expect(next.execution.apiKeySource).toBe('ANTHROPIC_API_KEY');
    expect(next.execution.prompt).toBe('do it');
  });

  it('never goes back from an end state to running, nor to an older seq', () => {
    const ended = executionReducer(stateAt(), {
      type: 'updated',
      seq: 9,
      execution: summary(7, 'completed', 9),
    });
    expect(
      executionReducer(ended, { type: 'updated', seq: 12, execution: summary(7, 'running', 12) }).execution
        .status,
    ).toBe('completed');
    const running = stateAt();
    const stale = executionReducer(running, {
      type: 'updated',
      seq: 1,
      execution: summary(7, 'running', 1, { outputTokens: 1 }),
    });
    expect(stale).toBe(running);
  });

  it('ignores frames for another execution', () => {
    const state = stateAt();
    expect(
      executionReducer(state, { type: 'updated', seq: 99, execution: summary(8, 'completed', 99) }),
    ).toBe(state);
  });

  it('puts earlier lines in front and knows when there are no more', () => {
    const state = stateAt({ logs: [log(10), log(11)], hasEarlierLogs: true, earlierLogCount: 3 });
    const next = executionReducer(state, {
      type: 'earlier',
      lines: [log(4), log(8), log(10)],
      exhausted: false,
    });
    expect(next.logs.map((l) => l.seq)).toEqual([4, 8, 10, 11]);
    expect(next.hasEarlierLogs).toBe(true);
    // Line numbers, not seqs: the held lines now start one line in.
    expect(next.logLineOffset).toBe(1);
    const done = executionReducer(next, { type: 'earlier', lines: [log(2)], exhausted: true });
    expect(done.logs.map((l) => l.seq)).toEqual([2, 4, 8, 10, 11]);
    expect(done.hasEarlierLogs).toBe(false);
    expect(done.logLineOffset).toBe(0);
  });

  it('appends a live resource sample and takes a whole series from its first time on', () => {
    const sample = (t: number) => ({ t, cpuPercent: t / 10, rssBytes: t * 1_000, processCount: 1 });
    const figures = (peak: number) => ({
      cpuSeconds: peak / 100,
      peakRssBytes: peak * 1_000,
      peakProcessCount: 1,
    });
    const state = stateAt({
      execution: detail('running', 3, {
        resources: { summary: figures(2_000), samples: [sample(1_000), sample(2_000)] },
      }),
    });
    const ticked = executionReducer(state, {
      type: 'resources',
      resources: { summary: figures(4_000), samples: [sample(4_000)] },
    });
    expect(ticked.execution.resources?.samples.map((s) => s.t)).toEqual([1_000, 2_000, 4_000]);
    expect(ticked.execution.resources?.summary).toEqual(figures(4_000));
    // A resubscription's series (the server merged it) replaces what overlaps it.
    const resubscribed = executionReducer(ticked, {
      type: 'resources',
      resources: { summary: figures(6_000), samples: [sample(2_000), sample(6_000)] },
    });
    expect(resubscribed.execution.resources?.samples.map((s) => s.t)).toEqual([1_000, 2_000, 6_000]);
    // Nothing sampled yet keeps what the page has.
    const empty = executionReducer(ticked, { type: 'resources', resources: { summary: null, samples: [] } });
    expect(empty.execution.resources).toEqual(ticked.execution.resources);
    // A header update never drops them.
    const updated = executionReducer(ticked, {
      type: 'updated',
      seq: 9,
      execution: summary(7, 'running', 9),
    });
    expect(updated.execution.resources).toEqual(ticked.execution.resources);
  });

  it('applies a batch in order', () => {
    const next = executionReducer(stateAt(), {
      type: 'batch',
      actions: [
        { type: 'events', steps: [], logs: [log(4)] },
        { type: 'updated', seq: 4, execution: summary(7, 'running', 4) },
        { type: 'events', steps: [step(5)], logs: [log(4), log(6)] },
      ],
    });
    expect(next.logs.map((l) => l.seq)).toEqual([2, 3, 4, 6]);
    expect(next.steps.map((s) => s.seq)).toEqual([1, 5]);
    expect(next.headerSeq).toBe(4);
  });
});

describe('mergeSummaries', () => {
  it('adds new runs newest first, replaces known ones, keeps later states and trims to the limit', () => {
    const current = [summary(3, 'completed', 8), summary(2, 'running', 4), summary(1, 'completed', 5)];
    const merged = mergeSummaries(
      current,
      [summary(4, 'queued', 0), summary(3, 'running', 6), summary(2, 'completed', 9)],
      3,
    );
    expect(merged.map((s) => [s.id, s.status])).toEqual([
      [4, 'queued'],
      [3, 'completed'],
      [2, 'completed'],
    ]);
  });
});

describe('countAtOrBelow', () => {
  it('counts lines at or below a seq by binary search', () => {
    const lines = [log(2), log(3), log(7), log(9)];
    expect(countAtOrBelow(lines, 1)).toBe(0);
    expect(countAtOrBelow(lines, 3)).toBe(2);
    expect(countAtOrBelow(lines, 8)).toBe(3);
    expect(countAtOrBelow(lines, 100)).toBe(4);
    expect(countAtOrBelow([], 5)).toBe(0);
  });
});

describe('pendingApiRetry', () => {
  const retryStep = (seq: number): StepDto => ({
    seq,
    kind: 'system',
    summary: 'Rate limited (429): retry 2/10 in 8 s',
    toolName: null,
    toolUseId: null,
    isError: true,
    payload: {
      type: 'api_retry',
      attempt: 2,
      maxRetries: 10,
      retryDelayMs: 8_000,
      errorStatus: 429,
      error: 'rate_limit',
    },
    createdAt: 50_000,
  });

  it('is the latest step while it is a retry notice of a running run, due after its delay', () => {
    expect(pendingApiRetry(stateAt({ steps: [step(1), retryStep(4)] }))).toEqual({
      summary: 'Rate limited (429): retry 2/10 in 8 s',
      retryAt: 58_000,
    });
  });

  it('is over once anything follows it, or the run has ended', () => {
    expect(pendingApiRetry(stateAt({ steps: [retryStep(4), step(5)] }))).toBeNull();
    expect(
      pendingApiRetry(stateAt({ execution: detail('failed', 4), steps: [step(1), retryStep(4)] })),
    ).toBeNull();
    expect(pendingApiRetry(stateAt())).toBeNull();
  });
});
