import { describeToolInput } from '../claude/messages';
import type { ApprovalDto } from '../contracts/approvals';
import { type BudgetStatusDto, budgetLevel } from '../contracts/costs';
import type { ExecutionLive } from '../contracts/executions';
import type { HostSample } from '../contracts/metrics';
import type { NotificationEventInput } from '../contracts/notifications';
import type { ScheduleDto, ScheduleFiringDto } from '../contracts/schedules';
import type { StorageStatusDto } from '../contracts/storage';
import type { CircuitBreakerDto } from '../contracts/system';
import type { WorkflowRunDto } from '../contracts/workflows';
import { getBudgetStatuses } from '../db/queries/costReports';
import { monthKey } from '../db/queries/costs';
import type { Store } from '../db/store';
import type { BudgetStop } from '../engine/events';
import { HOST_PAGE_PATH, type HostReading } from './hostConditions';

/**
 * What the rest of the server tells notifications: each function turns one producer's fact (a run
 * that ended, the breaker, a budget, a host sample) into catalogue events. Pure, so the callers
 * decide the transaction.
 */

const runPath = (executionId: number) => `/executions/${executionId}`;

function runFields(execution: ExecutionLive) {
  return {
    executionId: execution.id,
    agentId: execution.agentId,
    agentName: execution.agentName,
    trigger: execution.trigger,
    scheduleId: execution.scheduleId,
    attempts: execution.attempt,
    durationMs: execution.durationMs,
    costUsd: execution.costUsd,
    errorCode: execution.errorCode,
    errorMessage: execution.errorMessage,
    path: runPath(execution.id),
  };
}

/** The event for a run that ended badly; null for one that completed or was cancelled. */
export function runEndedEvent(
  execution: ExecutionLive,
  budget: BudgetStop | undefined,
  timeoutSeconds: number,
): NotificationEventInput | null {
  const fields = runFields(execution);
  switch (execution.status) {
    case 'failed':
      return { type: 'run.failed', data: fields };
    case 'timeout':
      return { type: 'run.timeout', data: { ...fields, timeoutSeconds } };
    case 'budget_exceeded':
      // Claude Code's own maxBudgetUsd stop carries no figures of ours: the run's spend is the figure.
      return {
        type: 'run.budget_exceeded',
        data: {
          ...fields,
          ...(budget ?? { budget: 'per_run', limitUsd: execution.costUsd, spentUsd: execution.costUsd }),
        },
      };
    case 'interrupted':
      return {
        type: 'run.interrupted',
        data: { ...fields, reason: execution.errorMessage ?? 'The server stopped during the run' },
      };
    default:
      return null;
  }
}

/** circuit.opened when the breaker opens, circuit.closed when it closes again; nothing otherwise. */
export function circuitEvent(
  previous: CircuitBreakerDto | null,
  circuit: CircuitBreakerDto,
): NotificationEventInput | null {
  if (previous?.state === circuit.state) return null;
  if (circuit.state === 'open') {
    return {
      type: 'circuit.opened',
      data: {
        consecutiveFailures: circuit.consecutiveFailures,
        threshold: circuit.threshold,
        cooldownSeconds: circuit.cooldownSeconds,
        lastFailure: circuit.lastFailure,
        path: '/',
      },
    };
  }
  if (circuit.state === 'closed' && previous !== null) {
    return { type: 'circuit.closed', data: { openedAt: previous.openedAt, path: '/' } };
  }
  return null;
}

/** What the host thresholds look at in a sample of `host`. */
export function hostReading(host: string, sample: HostSample): HostReading {
  return {
    host,
    disks: sample.filesystems.map((fs) => ({ mount: fs.mountPoint, usedPercent: fs.usedRatio * 100 })),
    memoryAvailablePercent: sample.memory.availableRatio * 100,
    load1: sample.load.load1,
    cores: Math.max(1, sample.cores.length),
  };
}

type BudgetEvent = Extract<NotificationEventInput, { type: 'budget.warning' | 'budget.exhausted' }>;

function budgetEvents(
  key: {
    scope: 'global' | 'agent' | 'workflow';
    agentId?: number | null;
    agentName?: string | null;
    workflowId?: number | null;
    workflowName?: string | null;
  },
  spentUsd: number,
  budgetUsd: number,
  month: string,
  path: string,
): BudgetEvent[] {
  const level = budgetLevel(spentUsd / budgetUsd);
  const data = (state: 'firing' | 'resolved') => ({ ...key, month, spentUsd, budgetUsd, state, path });
  // Each crossing is its own condition: 80% fires warning, 100% fires exhausted; below them, they resolve.
  return [
    { type: 'budget.warning', data: data(level === 'ok' ? 'resolved' : 'firing') },
    { type: 'budget.exhausted', data: data(level === 'exhausted' ? 'firing' : 'resolved') },
  ];
}

function budgetKey(status: BudgetStatusDto) {
  return status.scope === 'global'
    ? { scope: 'global' as const }
    : { scope: 'agent' as const, agentId: status.agentId, agentName: status.name };
}

/**
 * The monthly budgets (global and per agent) as condition events: firing at 80% and 100%,
 * resolved below. Recording them every time is cheap and harmless, since conditions are
 * announced once until they clear; the caller records only those whose level changed.
 */
export async function monthlyBudgetEvents(store: Store, now: number): Promise<BudgetEvent[]> {
  const month = monthKey(now);
  return (await getBudgetStatuses(store, now)).flatMap((status) =>
    budgetEvents(budgetKey(status), status.spentUsd, status.budgetUsd, month, '/costs'),
  );
}

/** A workflow run's budget as condition events; none for a run without a budget. */
export function workflowBudgetEvents(run: WorkflowRunDto, now: number): BudgetEvent[] {
  if (run.budgetUsd === null) return [];
  const key = { scope: 'workflow' as const, workflowId: run.workflowId, workflowName: run.workflowName };
  return budgetEvents(key, run.spendUsd, run.budgetUsd, monthKey(now), `/workflow-runs/${run.id}`);
}

/**
 * What one schedule's claim tells an operator: each refused slot, and the missed ones together (a
 * long downtime is one message naming how many slots it cost, dated at the latest).
 */
export function scheduleFiringEvents(
  firings: readonly ScheduleFiringDto[],
  schedule: Pick<ScheduleDto, 'agentId' | 'agentName' | 'workflowId' | 'workflowName' | 'cronExpression'>,
): NotificationEventInput[] {
  const fields = (firing: ScheduleFiringDto) => ({
    scheduleId: firing.scheduleId,
    agentId: schedule.agentId,
    agentName: schedule.agentName,
    workflowId: schedule.workflowId,
    workflowName: schedule.workflowName,
    cronExpression: schedule.cronExpression,
    scheduledFor: firing.scheduledFor ?? firing.fireAt,
    path: `/schedules/${firing.scheduleId}`,
  });
  const events: NotificationEventInput[] = [];
  for (const firing of firings) {
    if (
      firing.outcome === 'refused_budget' ||
      firing.outcome === 'refused_breaker' ||
      firing.outcome === 'refused_invalid'
    ) {
      events.push({
        type: 'schedule.refused',
        data: { ...fields(firing), outcome: firing.outcome, reason: firing.reason },
      });
    }
  }
  const missed = firings.filter((firing) => firing.outcome === 'missed');
  const latest = missed.at(-1);
  if (latest) {
    const missedSlots = missed.reduce((sum, firing) => sum + firing.slotCount, 0);
    events.push({ type: 'schedule.missed', data: { ...fields(latest), missedSlots, reason: latest.reason } });
  }
  return events;
}

/** A tool call that waits for a person (with links to answer it), or one nobody answered in time. */
export function approvalEvent(
  change: 'requested' | 'expired',
  approval: ApprovalDto,
): NotificationEventInput {
  return {
    type: change === 'requested' ? 'approval.requested' : 'approval.expired',
    data: {
      approvalId: approval.id,
      executionId: approval.executionId,
      agentId: approval.agentId,
      agentName: approval.agentName,
      toolName: approval.toolName,
      input: describeToolInput(approval.input),
      inputHash: approval.inputHash,
      reason: approval.reason,
      requestedAt: approval.requestedAt,
      expiresAt: approval.expiresAt,
      onTimeout: approval.onTimeout,
      path: runPath(approval.executionId),
    },
  };
}

/**
 * The storage conditions as a status shows them, both every time (conditions de-duplicate):
 * storage.low while free space is below the floor; storage.failing while writes fail. A failure
 * that could not be recorded while it lasted (the disk was full) is recorded once writes work,
 * followed by its clearing.
 */
export function storageEvents(status: StorageStatusDto): NotificationEventInput[] {
  const common = { dataDir: status.dataDir, path: HOST_PAGE_PATH };
  const events: NotificationEventInput[] = [];
  if (status.freeBytes !== null && status.totalBytes !== null && status.floorBytes !== null) {
    events.push({
      type: 'storage.low',
      data: {
        ...common,
        freeBytes: status.freeBytes,
        totalBytes: status.totalBytes,
        floorBytes: status.floorBytes,
        since: status.since,
        state: status.state === 'low' ? 'firing' : 'resolved',
      },
    });
  }
  const { fault } = status;
  const failing = (state: 'firing' | 'resolved') =>
    ({
      type: 'storage.failing',
      data: {
        ...common,
        code: fault?.code ?? '',
        reason: fault?.message ?? '',
        since: fault?.at ?? status.since,
        state,
      },
    }) as const;
  if (status.state === 'failing') events.push(failing('firing'));
  else if (fault) events.push(failing('firing'), failing('resolved'));
  else events.push(failing('resolved'));
  return events;
}
