import {
  apiRetryPayloadSchema,
  type ExecutionDetail,
  type ExecutionLive,
  type ExecutionStatus,
  type ExecutionSummary,
  isActiveStatus,
  type LogLineDto,
  type StepDto,
} from '@/lib/contracts/executions';
import type { ExecutionResourcesDto } from '@/lib/contracts/runResources';
import type { ApprovalDto } from '../contracts/approvals';

/**
 * Pure state of the live execution views. Frames can arrive twice (a replay after a reconnect
 * overlaps what the page had) and a fetched snapshot can be older than a frame already applied,
 * so every change is checked against what the state already holds.
 */

/** Log lines the execution page loads first, and per "Load earlier lines" request. */
export const LOG_PAGE_SIZE = 5_000;

const stage = (status: ExecutionStatus): number => (status === 'queued' ? 0 : isActiveStatus(status) ? 1 : 2);

/**
 * True when `current` is further along than `incoming`: an end state is never replaced by an
 * active one, and within a stage the higher seq wins (ties go to the newcomer).
 */
export function isAhead(
  current: { status: ExecutionStatus; seq: number },
  incoming: { status: ExecutionStatus; seq: number },
): boolean {
  const a = stage(current.status);
  const b = stage(incoming.status);
  if (a !== b) return a > b;
  return current.seq > incoming.seq;
}

export interface ExecutionViewState {
  execution: ExecutionDetail;
  /** The seq of the frame or snapshot the header shows. */
  headerSeq: number;
  steps: StepDto[];
  logs: LogLineDto[];
  /** Highest step and log seq applied; anything at or below is a duplicate. */
  lastStepSeq: number;
  lastLogSeq: number;
  hasEarlierLogs: boolean;
  /** Lines of the log before the first one held: where the held lines' numbers start. */
  logLineOffset: number;
}

export interface ExecutionSnapshot {
  execution: ExecutionDetail;
  steps: StepDto[];
  /** The newest log lines, ascending; older ones load on demand. */
  logs: LogLineDto[];
  hasEarlierLogs: boolean;
  /** How many lines come before `logs[0]` (log lines share seqs with steps, so seqs are no line numbers). */
  earlierLogCount: number;
  /** The run's tool calls that asked a person (the approvals topic has them live after). */
  approvals?: ApprovalDto[];
}

export type ExecutionAction =
  | { type: 'events'; steps: StepDto[]; logs: LogLineDto[] }
  /** A live frame: the list's summary, or the whole live view for the run's own page. */
  | { type: 'updated'; seq: number; execution: ExecutionSummary & Partial<ExecutionLive> }
  | { type: 'earlier'; lines: LogLineDto[]; exhausted: boolean }
  | { type: 'resources'; resources: ExecutionResourcesDto }
  | { type: 'batch'; actions: ExecutionAction[] };

export function initExecutionState(snapshot: ExecutionSnapshot): ExecutionViewState {
  return {
    execution: snapshot.execution,
    headerSeq: snapshot.execution.lastSeq,
    steps: snapshot.steps,
    logs: snapshot.logs,
    lastStepSeq: snapshot.steps.at(-1)?.seq ?? 0,
    lastLogSeq: snapshot.logs.at(-1)?.seq ?? 0,
    hasEarlierLogs: snapshot.hasEarlierLogs,
    logLineOffset: snapshot.earlierLogCount,
  };
}

/** The items above `after`, in seq order, each seq once. */
function fresh<T extends { seq: number }>(items: readonly T[], after: number): T[] {
  const out: T[] = [];
  let last = after;
  for (const item of items) {
    if (item.seq <= last) continue;
    out.push(item);
    last = item.seq;
  }
  return out;
}

function applyEvents(state: ExecutionViewState, steps: StepDto[], logs: LogLineDto[]): ExecutionViewState {
  const newSteps = fresh(steps, state.lastStepSeq);
  const newLogs = fresh(logs, state.lastLogSeq);
  if (newSteps.length === 0 && newLogs.length === 0) return state;
  return {
    ...state,
    steps: newSteps.length === 0 ? state.steps : state.steps.concat(newSteps),
    logs: newLogs.length === 0 ? state.logs : state.logs.concat(newLogs),
    lastStepSeq: newSteps.at(-1)?.seq ?? state.lastStepSeq,
    lastLogSeq: newLogs.at(-1)?.seq ?? state.lastLogSeq,
  };
}

function applyUpdated(
  state: ExecutionViewState,
  seq: number,
  summary: ExecutionSummary & Partial<ExecutionLive>,
): ExecutionViewState {
  if (summary.id !== state.execution.id) return state;
  if (isAhead({ status: state.execution.status, seq: state.headerSeq }, { status: summary.status, seq })) {
    return state;
  }
  // Frames never carry the prompt (and list frames carry only the summary): keep what we have.
  return { ...state, execution: { ...state.execution, ...summary }, headerSeq: seq };
}

/**
 * Samples from the incoming first one's time on replace what the page had: a live tick appends
 * one, a (re)subscription's whole series replaces it.
 */
function mergeResources(state: ExecutionViewState, incoming: ExecutionResourcesDto): ExecutionResourcesDto {
  const first = incoming.samples[0];
  if (!first) return state.execution.resources ?? incoming;
  const kept = (state.execution.resources?.samples ?? []).filter((sample) => sample.t < first.t);
  return { summary: incoming.summary, samples: kept.concat(incoming.samples) };
}

function applyEarlier(
  state: ExecutionViewState,
  lines: LogLineDto[],
  exhausted: boolean,
): ExecutionViewState {
  const firstSeq = state.logs[0]?.seq ?? Number.POSITIVE_INFINITY;
  const older = fresh(lines, 0).filter((line) => line.seq < firstSeq);
  const hasEarlierLogs = !exhausted && older.length > 0;
  return {
    ...state,
    logs: older.concat(state.logs),
    hasEarlierLogs,
    logLineOffset: hasEarlierLogs ? Math.max(0, state.logLineOffset - older.length) : 0,
  };
}

export function executionReducer(state: ExecutionViewState, action: ExecutionAction): ExecutionViewState {
  switch (action.type) {
    case 'events':
      return applyEvents(state, action.steps, action.logs);
    case 'updated':
      return applyUpdated(state, action.seq, action.execution);
    case 'earlier':
      return applyEarlier(state, action.lines, action.exhausted);
    case 'resources':
      return {
        ...state,
        execution: { ...state.execution, resources: mergeResources(state, action.resources) },
      };
    case 'batch':
      return action.actions.reduce(executionReducer, state);
  }
}

/**
 * Merges summaries into a newest-first list of at most `limit`: new runs are added, known ones
 * replaced unless the list already holds a later state of them.
 */
export function mergeSummaries(
  current: readonly ExecutionSummary[],
  incoming: readonly ExecutionSummary[],
  limit: number,
): ExecutionSummary[] {
  if (incoming.length === 0) return [...current];
  const byId = new Map(current.map((item) => [item.id, item]));
  for (const item of incoming) {
    const known = byId.get(item.id);
    if (
      known &&
      isAhead({ status: known.status, seq: known.lastSeq }, { status: item.status, seq: item.lastSeq })
    ) {
      continue;
    }
    byId.set(item.id, item);
  }
  return [...byId.values()].sort((a, b) => b.id - a.id).slice(0, limit);
}

/** Index of the first line with a seq above `seq` (lines ascending): how many lines are at or below it. */
export function countAtOrBelow(lines: readonly { seq: number }[], seq: number): number {
  let low = 0;
  let high = lines.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const line = lines[mid];
    if (line !== undefined && line.seq <= seq) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Claude Code waiting to retry an API call: what went wrong, and when it tries again. */
export interface PendingApiRetry {
  summary: string;
  retryAt: number;
}

/** The retry the run is waiting on: its latest step is a retry notice and nothing has come since. */
export function pendingApiRetry(state: ExecutionViewState): PendingApiRetry | null {
  if (state.execution.status !== 'running') return null;
  const last = state.steps.at(-1);
  if (last?.kind !== 'system') return null;
  const retry = apiRetryPayloadSchema.safeParse(last.payload);
  return retry.success ? { summary: last.summary, retryAt: last.createdAt + retry.data.retryDelayMs } : null;
}
