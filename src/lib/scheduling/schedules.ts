import {
  type CreateScheduleInput,
  type FiringPage,
  type ListFiringsQuery,
  type ListSchedulesQuery,
  NEXT_RUNS_COUNT,
  SCHEDULE_DEFAULTS,
  type ScheduleDto,
  type ScheduleFiringDto,
  type SchedulePage,
  type SchedulePreview,
  type SchedulePreviewQuery,
  type ScheduleTargetOptions,
  scheduleTargetIssue,
  type UpdateScheduleInput,
} from '../contracts/schedules';
import { assertNoIssues, DomainError, invalidField, notFound } from '../core/errors';
import { type Plan, transaction } from '../db/plan';
import { getAgentById, listAgents } from '../db/queries/agents';
import {
  getLastFiring,
  getLastFirings,
  getScheduleWithTarget,
  insertSchedule,
  listFiringsOfSchedule,
  listNextDueSchedules,
  listSchedulesLastUnrun,
  listSchedulesWithTarget,
  type ScheduleWithTarget,
  softDeleteSchedule,
  toFiringDto,
  updateScheduleRow,
} from '../db/queries/schedules';
import { getWorkflow, listWorkflows } from '../db/queries/workflows';
import type { Schedule } from '../db/schema';
import type { Store } from '../db/store';
import { checkRunInput } from '../workflows/validate';
import { compileCron, describeCron, localTimeZone, nextRuns, normalizeTimeZone } from './cron';
import { jitterMs } from './jitter';

/**
 * Schedules for the API and the pages: what the routes call after parsing with `validation.ts`.
 * After a create, update or delete the caller wakes the scheduler, whose next slot may have moved.
 * Reads and the delete are plans on a Store (both dialects); create and update check their target
 * through the workflow queries, which are SQLite's still, so they run on a SQLite connection.
 */

const iso = (epochMs: number) => new Date(epochMs).toISOString();

function toScheduleDto(row: ScheduleWithTarget, lastFiring: ScheduleDto['lastFiring']): ScheduleDto {
  return {
    id: row.id,
    agentId: row.agentId,
    agentName: row.agentName,
    workflowId: row.workflowId,
    workflowName: row.workflowName,
    workflowInput: row.workflowInput,
    name: row.name,
    cronExpression: row.cronExpression,
    description: describeCron(row.cronExpression),
    timezone: row.timezone,
    enabled: row.enabled,
    prompt: row.prompt,
    overlapPolicy: row.overlapPolicy,
    catchUp: row.catchUp,
    catchUpWindowSeconds: row.catchUpWindowSeconds,
    jitterSeconds: row.jitterSeconds,
    approvalTimeoutMinutes: row.approvalTimeoutMinutes,
    // The stored next slot first: it is what the scheduler will consider next.
    nextRuns:
      row.nextRunAt === null
        ? []
        : [
            row.nextRunAt,
            ...nextRuns(row.cronExpression, row.timezone, row.nextRunAt, NEXT_RUNS_COUNT - 1),
          ].map(iso),
    lastFiring,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function* toScheduleDtos(store: Store, rows: ScheduleWithTarget[]): Plan<ScheduleDto[]> {
  const last = yield* getLastFirings(
    store,
    rows.map((row) => row.id),
  );
  return rows.map((row) => {
    const firing = last.get(row.id);
    return toScheduleDto(row, firing ? toFiringDto(firing) : null);
  });
}

/** The next slot after `now` and its fire time; nulls for a paused schedule. */
function timing(
  schedule: Pick<Schedule, 'id' | 'cronExpression' | 'timezone' | 'enabled' | 'jitterSeconds'>,
  now: number,
) {
  if (!schedule.enabled) return { nextRunAt: null, nextFireAt: null };
  const nextRunAt = compileCron(schedule.cronExpression, schedule.timezone).nextAfter(now);
  return { nextRunAt, nextFireAt: nextRunAt + jitterMs(schedule.id, nextRunAt, schedule.jitterSeconds) };
}

type Target = Pick<Schedule, 'agentId' | 'workflowId' | 'workflowInput'>;

/**
 * The schedule's agent or workflow exists and is live; for a workflow, the input fits its fields
 * (`workflowInput.<field>`). A plan, inside the transaction that writes the schedule (or a manual run's).
 */
export function* checkTarget(store: Store, target: Target): Plan<void> {
  if (target.agentId !== null) {
    if (!(yield* getAgentById(store, target.agentId))) throw notFound('Agent');
    return;
  }
  const { workflowId } = target;
  if (workflowId === null) return;
  const workflow = yield* getWorkflow(store, workflowId);
  if (!workflow) throw notFound('Workflow');
  const { issues } = checkRunInput(workflow.inputs, target.workflowInput ?? {});
  assertNoIssues(
    issues.map((issue) => ({ ...issue, path: issue.path.replace(/^input\./, 'workflowInput.') })),
  );
}

/** A live schedule, or null when there is none (never was, or deleted). */
export function* findSchedule(store: Store, id: number): Plan<ScheduleDto | null> {
  const row = yield* getScheduleWithTarget(store, id);
  if (!row) return null;
  const last = yield* getLastFiring(store, id);
  return toScheduleDto(row, last ? toFiringDto(last) : null);
}

export function* getSchedule(store: Store, id: number): Plan<ScheduleDto> {
  const dto = yield* findSchedule(store, id);
  if (!dto) throw notFound('Schedule');
  return dto;
}

/** Starts from the first slot after `now`. With no zone given, the server's own is stored. */
export function createSchedule(store: Store, input: CreateScheduleInput, now: number): Promise<ScheduleDto> {
  const target = {
    agentId: input.agentId ?? null,
    workflowId: input.workflowId ?? null,
    workflowInput: input.workflowInput ?? null,
  };
  return transaction(store, function* (tx) {
    yield* checkTarget(tx, target);
    const row = yield* insertSchedule(tx, {
      ...SCHEDULE_DEFAULTS,
      ...input,
      ...target,
      timezone: normalizeTimeZone(input.timezone ?? localTimeZone()),
      createdAt: now,
      updatedAt: now,
    });
    // The jitter is a hash of the id, so the fire time is known only once the row exists.
    yield* updateScheduleRow(tx, row.id, timing(row, now));
    return yield* getSchedule(tx, row.id);
  });
}

/**
 * A PATCH that names one target and not the other switches to it: the other target and its own
 * field (an agent's prompt, a workflow's input) are cleared unless the PATCH gives them.
 */
function withTargetSwitch(patch: UpdateScheduleInput): UpdateScheduleInput {
  if (patch.workflowId != null && patch.agentId === undefined)
    return { agentId: null, prompt: null, ...patch };
  if (patch.agentId != null && patch.workflowId === undefined)
    return { workflowId: null, workflowInput: null, ...patch };
  return patch;
}

/**
 * A new expression, zone or jitter, or a resume, restarts the timing from the first slot after
 * `now`: slots while paused are not caught up. Pausing clears the next slot.
 */
export function updateSchedule(
  store: Store,
  id: number,
  patch: UpdateScheduleInput,
  now: number,
): Promise<ScheduleDto> {
  return transaction(store, function* (tx) {
    const existing = yield* getScheduleWithTarget(tx, id);
    if (!existing) throw notFound('Schedule');
    const changes = {
      ...withTargetSwitch(patch),
      ...(patch.timezone !== undefined && { timezone: normalizeTimeZone(patch.timezone) }),
    };
    const merged = { ...existing, ...changes };
    const targetIssue = scheduleTargetIssue(merged);
    if (targetIssue) throw invalidField(targetIssue.path, targetIssue.message);
    if (patch.agentId != null || patch.workflowId != null || patch.workflowInput !== undefined)
      yield* checkTarget(tx, merged);
    const retimed =
      merged.cronExpression !== existing.cronExpression ||
      merged.timezone !== existing.timezone ||
      merged.jitterSeconds !== existing.jitterSeconds ||
      merged.enabled !== existing.enabled;
    yield* updateScheduleRow(tx, id, { ...changes, ...(retimed && timing(merged, now)), updatedAt: now });
    return yield* getSchedule(tx, id);
  });
}

export function* deleteSchedule(store: Store, id: number, now: number): Plan<void> {
  if (!(yield* softDeleteSchedule(store, id, now))) throw notFound('Schedule');
}

/** Newest first by id, read one row past the page (`limit + 1`) to know whether another follows. */
function pageOf<Row extends { id: number }>(
  rows: Row[],
  limit: number,
): { rows: Row[]; nextBefore: number | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, nextBefore: rows.length > limit && last ? last.id : null };
}

export function* listSchedules(store: Store, query: ListSchedulesQuery): Plan<SchedulePage> {
  const { rows, nextBefore } = pageOf(
    yield* listSchedulesWithTarget(store, { ...query, limit: query.limit + 1 }),
    query.limit,
  );
  return { items: yield* toScheduleDtos(store, rows), nextBefore };
}

/** The dashboard: enabled schedules by their next fire time. */
export function* listUpcomingSchedules(store: Store, limit: number): Plan<ScheduleDto[]> {
  return yield* toScheduleDtos(store, yield* listNextDueSchedules(store, limit));
}

/** The dashboard: schedules whose last firing was refused, skipped or missed. */
export function* listSchedulesNeedingAttention(store: Store, limit: number): Plan<ScheduleDto[]> {
  return yield* toScheduleDtos(store, yield* listSchedulesLastUnrun(store, limit));
}

export function* listFirings(store: Store, scheduleId: number, query: ListFiringsQuery): Plan<FiringPage> {
  if (!(yield* getScheduleWithTarget(store, scheduleId))) throw notFound('Schedule');
  const { rows, nextBefore } = pageOf(
    yield* listFiringsOfSchedule(store, scheduleId, { ...query, limit: query.limit + 1 }),
    query.limit,
  );
  return { items: rows.map(toFiringDto), nextBefore };
}

/** The next times of an expression in a zone, for the form. */
export function previewSchedule(query: SchedulePreviewQuery, now: number): SchedulePreview {
  const timezone = normalizeTimeZone(query.timezone);
  return {
    description: describeCron(query.cronExpression),
    timezone,
    nextRuns: nextRuns(query.cronExpression, timezone, now, NEXT_RUNS_COUNT).map(iso),
  };
}

/**
 * A "run now" that did not start a run is an error for the caller, though it is recorded: a spent
 * budget like any refused start (budget_exhausted), the breaker or the target a conflict, naming
 * the outcome and carrying the firing.
 */
export function assertFiringStarted(firing: ScheduleFiringDto): void {
  if (firing.outcome === 'started' || firing.outcome === 'caught_up') return;
  const kind =
    firing.outcome === 'refused_budget'
      ? 'budget_exhausted'
      : firing.outcome === 'skipped_storage'
        ? 'insufficient_storage'
        : 'conflict';
  throw new DomainError(kind, firing.reason, undefined, { outcome: firing.outcome, firing });
}

/** The agents and workflows a schedule form offers, with each workflow's input fields. */
export function* listScheduleTargets(store: Store): Plan<ScheduleTargetOptions> {
  const agents = (yield* listAgents(store)).map(({ id, name }) => ({ id, name }));
  const workflows: ScheduleTargetOptions['workflows'] = [];
  for (const { id } of yield* listWorkflows(store)) {
    const workflow = yield* getWorkflow(store, id);
    if (workflow) workflows.push({ id, name: workflow.name, inputs: workflow.inputs });
  }
  return { agents, workflows };
}
