import {
  and,
  asc,
  count,
  desc,
  eq,
  getTableColumns,
  inArray,
  isNull,
  lt,
  lte,
  min,
  type Placeholder,
  type SQL,
  sql,
} from 'drizzle-orm';
import type { ExecutionStatus } from '../../contracts/executions';
import { type ScheduleFiringDto, UNRUN_OUTCOMES } from '../../contracts/schedules';
import type { WorkflowInputValues, WorkflowRunStatus } from '../../contracts/workflows';
import { changesOf, firstOf, type Plan, preparedChangesOf, preparedRowsOf, rowsOf } from '../plan';
import { preparedPerStore, rawOnSqlite, sqliteInsertedId } from '../prepared';
import { insertedRow, updatedRow } from '../returning';
import { skipLockedRows } from '../rowLocks';
import type { NewSchedule, NewScheduleFiring, Schedule, ScheduleFiring } from '../schema';
import type { Store, Tables } from '../store';

// Dialect-neutral plans (see plan.ts). The statements the scheduler's tick runs once per due
// schedule are prepared once per connection: on SQLite as better-sqlite3's own statements
// (rawOnSqlite), where drizzle's per-call cost was the tick's larger part; on Postgres as
// drizzle's prepared queries.

/** A schedule with its target's name: the agent's, or the workflow's (the other is null). */
export type ScheduleWithTarget = Schedule & { agentName: string | null; workflowName: string | null };

export function toFiringDto(row: ScheduleFiring): ScheduleFiringDto {
  return { ...row, manual: row.scheduledFor === null };
}

const liveOf = (t: Tables) => isNull(t.schedules.deletedAt);

/** Schedules joined to their target, whichever of the two it is. */
function fromSchedulesWithTarget({ db, t }: Store) {
  return db
    .select({
      ...getTableColumns(t.schedules),
      agentName: t.agentConfigurations.name,
      workflowName: t.workflows.name,
    })
    .from(t.schedules)
    .leftJoin(t.agentConfigurations, eq(t.agentConfigurations.id, t.schedules.agentId))
    .leftJoin(t.workflows, eq(t.workflows.id, t.schedules.workflowId));
}

export function* insertSchedule({ db, t }: Store, values: NewSchedule): Plan<Schedule> {
  return insertedRow(yield* rowsOf(db.insert(t.schedules).values(values).returning()));
}

/** Changes a live schedule; undefined when there is none. */
export function* updateScheduleRow(
  { db, t }: Store,
  id: number,
  patch: Partial<NewSchedule>,
): Plan<Schedule | undefined> {
  return updatedRow(
    yield* rowsOf(
      db
        .update(t.schedules)
        .set(patch)
        .where(and(eq(t.schedules.id, id), liveOf(t)))
        .returning(),
    ),
  );
}

const deletedWithTarget = ({ db, t }: Store, target: (table: Tables['schedules']) => SQL, now: number) =>
  changesOf(
    db
      .update(t.schedules)
      .set({ deletedAt: now, updatedAt: now, nextRunAt: null, nextFireAt: null })
      .where(and(target(t.schedules), liveOf(t))),
  );

/** Soft delete: the schedule stops and disappears from lists; its firings and runs stay. False when there was no live one. */
export function* softDeleteSchedule(store: Store, id: number, now: number): Plan<boolean> {
  return (yield* deletedWithTarget(store, (table) => eq(table.id, id), now)) > 0;
}

/** Every live schedule of an agent, deleted with it (to be called in the agent's delete). */
export function softDeleteSchedulesOfAgent(store: Store, agentId: number, now: number): Plan<number> {
  return deletedWithTarget(store, (table) => eq(table.agentId, agentId), now);
}

/** Every live schedule of a workflow, deleted with it (to be called in the workflow's delete). */
export function softDeleteSchedulesOfWorkflow(store: Store, workflowId: number, now: number): Plan<number> {
  return deletedWithTarget(store, (table) => eq(table.workflowId, workflowId), now);
}

// Read for every claim that records a refusal or a miss (its notification), and by every page: prepared.
const scheduleById = preparedPerStore((store: Store) =>
  fromSchedulesWithTarget(store)
    .where(and(eq(store.t.schedules.id, sql.placeholder('id')), liveOf(store.t)))
    .prepare(),
);

export function* getScheduleWithTarget(store: Store, id: number): Plan<ScheduleWithTarget | undefined> {
  const [row] = yield* preparedRowsOf(scheduleById(store), { id });
  return row;
}

export interface ScheduleListFilter {
  agentId?: number;
  workflowId?: number;
  limit: number;
  before?: number;
}

/** Newest first, keyset-paged by id. */
export function listSchedulesWithTarget(
  store: Store,
  filter: ScheduleListFilter,
): Plan<ScheduleWithTarget[]> {
  const { schedules } = store.t;
  const where = and(
    liveOf(store.t),
    filter.agentId === undefined ? undefined : eq(schedules.agentId, filter.agentId),
    filter.workflowId === undefined ? undefined : eq(schedules.workflowId, filter.workflowId),
    filter.before === undefined ? undefined : lt(schedules.id, filter.before),
  );
  return rowsOf(fromSchedulesWithTarget(store).where(where).orderBy(desc(schedules.id)).limit(filter.limit));
}

/** The dashboard: how many schedules are paused (why nothing may be ahead). */
export function* countPausedSchedules({ db, t }: Store): Plan<number> {
  const row = yield* firstOf(
    db
      .select({ count: count() })
      .from(t.schedules)
      .where(and(eq(t.schedules.enabled, false), liveOf(t))),
  );
  return row?.count ?? 0;
}

/** The dashboard's "next scheduled runs": enabled schedules by when they fire next (ties by id). */
export function listNextDueSchedules(store: Store, limit: number): Plan<ScheduleWithTarget[]> {
  const { schedules } = store.t;
  return rowsOf(
    fromSchedulesWithTarget(store)
      .where(and(eq(schedules.enabled, true), liveOf(store.t), sql`${schedules.nextFireAt} is not null`))
      .orderBy(asc(schedules.nextFireAt), asc(schedules.id))
      .limit(limit),
  );
}

/** The id of each schedule's last firing, as a correlated subquery of the schedules row. */
const lastFiringIdOf = ({ scheduleFirings, schedules }: Tables) =>
  sql<
    number | null
  >`(select max(${scheduleFirings.id}) from ${scheduleFirings} where ${scheduleFirings.scheduleId} = ${schedules.id})`;

const lastFiring = preparedPerStore(({ db, t }: Store) =>
  db
    .select()
    .from(t.scheduleFirings)
    .where(eq(t.scheduleFirings.scheduleId, sql.placeholder('scheduleId')))
    .orderBy(desc(t.scheduleFirings.id))
    .limit(1)
    .prepare(),
);

/** A schedule's last firing, if it fired. */
export function* getLastFiring(store: Store, scheduleId: number): Plan<ScheduleFiring | undefined> {
  const [row] = yield* preparedRowsOf(lastFiring(store), { scheduleId });
  return row;
}

/** The last firing of each schedule, by schedule id. */
export function* getLastFirings({ db, t }: Store, scheduleIds: number[]): Plan<Map<number, ScheduleFiring>> {
  if (scheduleIds.length === 0) return new Map();
  const rows = yield* rowsOf(
    db
      .select({ firing: t.scheduleFirings })
      .from(t.schedules)
      .innerJoin(t.scheduleFirings, eq(t.scheduleFirings.id, lastFiringIdOf(t)))
      .where(inArray(t.schedules.id, scheduleIds)),
  );
  return new Map(rows.map(({ firing }) => [firing.scheduleId, firing]));
}

/**
 * The dashboard's warning: live schedules whose last firing started no run (refused, skipped,
 * missed), newest schedule first: walking schedules by id needs no sort, and the limit ends the walk.
 */
export function listSchedulesLastUnrun(store: Store, limit: number): Plan<ScheduleWithTarget[]> {
  const { t } = store;
  return rowsOf(
    fromSchedulesWithTarget(store)
      .innerJoin(t.scheduleFirings, eq(t.scheduleFirings.id, lastFiringIdOf(t)))
      .where(and(liveOf(t), inArray(t.scheduleFirings.outcome, [...UNRUN_OUTCOMES])))
      .orderBy(desc(t.schedules.id))
      .limit(limit),
  );
}

/** A schedule's history, newest first, keyset-paged by id. */
export function listFiringsOfSchedule(
  { db, t }: Store,
  scheduleId: number,
  filter: { limit: number; before?: number },
): Plan<ScheduleFiring[]> {
  return rowsOf(
    db
      .select()
      .from(t.scheduleFirings)
      .where(
        and(
          eq(t.scheduleFirings.scheduleId, scheduleId),
          filter.before === undefined ? undefined : lt(t.scheduleFirings.id, filter.before),
        ),
      )
      .orderBy(desc(t.scheduleFirings.id))
      .limit(filter.limit),
  );
}

/** The current status of the runs a page of firings started, by id: executions and workflow runs. */
export function* getStatusesOfFiredRuns(
  { db, t }: Store,
  firings: readonly Pick<ScheduleFiring, 'executionId' | 'workflowRunId'>[],
): Plan<{ runs: Record<number, ExecutionStatus>; workflowRuns: Record<number, WorkflowRunStatus> }> {
  const executionIds = firings.flatMap((firing) => (firing.executionId === null ? [] : [firing.executionId]));
  const workflowRunIds = firings.flatMap((firing) =>
    firing.workflowRunId === null ? [] : [firing.workflowRunId],
  );
  const runs =
    executionIds.length === 0
      ? []
      : yield* rowsOf(
          db
            .select({ id: t.executions.id, status: t.executions.status })
            .from(t.executions)
            .where(inArray(t.executions.id, executionIds)),
        );
  const workflowRunRows =
    workflowRunIds.length === 0
      ? []
      : yield* rowsOf(
          db
            .select({ id: t.workflowRuns.id, status: t.workflowRuns.status })
            .from(t.workflowRuns)
            .where(inArray(t.workflowRuns.id, workflowRunIds)),
        );
  const byId = <S>(rows: { id: number; status: S }[]) =>
    Object.fromEntries(rows.map((r) => [r.id, r.status]));
  return { runs: byId(runs), workflowRuns: byId(workflowRunRows) };
}

// The scheduler's statements, run on every tick: prepared once per connection.

/** What a claim reads of a due schedule, and whether its target was deleted since (its schedules should have gone with it). */
export type DueSchedule = Pick<
  Schedule,
  | 'id'
  | 'agentId'
  | 'workflowId'
  | 'workflowInput'
  | 'prompt'
  | 'approvalTimeoutMinutes'
  | 'cronExpression'
  | 'timezone'
  | 'overlapPolicy'
  | 'catchUp'
  | 'catchUpWindowSeconds'
  | 'jitterSeconds'
  | 'nextRunAt'
> & { targetDeletedAt: number | null };

/** A due row as read: the workflow input is SQLite's JSON text there, Postgres' parsed jsonb here. */
type DueRow = Omit<DueSchedule, 'workflowInput'> & { workflowInput: string | WorkflowInputValues | null };

// The tick's read, a hundred rows at a time, through `schedules_due`. On Postgres it locks the
// schedules it returns and skips those another node's claim holds.
const dueSchedules = rawOnSqlite<DueRow>(
  (sqlite) =>
    sqlite.prepare(
      `select s.id, s.agent_id as agentId, s.workflow_id as workflowId, s.workflow_input as workflowInput,
         s.prompt, s.approval_timeout_minutes as approvalTimeoutMinutes, s.cron_expression as cronExpression, s.timezone, s.overlap_policy as overlapPolicy,
         s.catch_up as catchUp, s.catch_up_window_seconds as catchUpWindowSeconds,
         s.jitter_seconds as jitterSeconds, s.next_run_at as nextRunAt,
         coalesce(a.deleted_at, w.deleted_at) as targetDeletedAt
       from schedules s
       left join agent_configurations a on a.id = s.agent_id
       left join workflows w on w.id = s.workflow_id
       where s.enabled = 1 and s.deleted_at is null and s.next_fire_at <= @now
       order by s.next_fire_at, s.id
       limit @limit`,
    ),
  (store) => {
    const { db, t } = store;
    const s = t.schedules;
    const query = db
      .select({
        id: s.id,
        agentId: s.agentId,
        workflowId: s.workflowId,
        workflowInput: s.workflowInput,
        prompt: s.prompt,
        approvalTimeoutMinutes: s.approvalTimeoutMinutes,
        cronExpression: s.cronExpression,
        timezone: s.timezone,
        overlapPolicy: s.overlapPolicy,
        catchUp: s.catchUp,
        catchUpWindowSeconds: s.catchUpWindowSeconds,
        jitterSeconds: s.jitterSeconds,
        nextRunAt: s.nextRunAt,
        targetDeletedAt: sql<
          number | null
        >`coalesce(${t.agentConfigurations.deletedAt}, ${t.workflows.deletedAt})`.mapWith(Number),
      })
      .from(s)
      .leftJoin(t.agentConfigurations, eq(t.agentConfigurations.id, s.agentId))
      .leftJoin(t.workflows, eq(t.workflows.id, s.workflowId))
      .where(and(eq(s.enabled, true), liveOf(t), lte(s.nextFireAt, sql.placeholder('now'))))
      .orderBy(asc(s.nextFireAt), asc(s.id))
      .limit(sql.placeholder('limit'));
    return skipLockedRows(store, query, s).prepare();
  },
);

/** Enabled live schedules whose next slot is due, soonest first. */
export function* selectDueSchedules(store: Store, now: number, limit: number): Plan<DueSchedule[]> {
  const rows = yield* preparedRowsOf(dueSchedules(store), { now, limit });
  return rows.map((row) => ({
    ...row,
    workflowInput:
      typeof row.workflowInput === 'string'
        ? (JSON.parse(row.workflowInput) as WorkflowInputValues)
        : row.workflowInput,
  }));
}

const earliestFire = preparedPerStore(({ db, t }: Store) =>
  db
    .select({ at: min(t.schedules.nextFireAt) })
    .from(t.schedules)
    .where(and(eq(t.schedules.enabled, true), liveOf(t)))
    .prepare(),
);

/** When the next slot of any schedule is due; null when none is scheduled. */
export function* getEarliestFireAt(store: Store): Plan<number | null> {
  const [row] = yield* preparedRowsOf(earliestFire(store), {});
  return row?.at ?? null;
}

// The statuses written out (not bound) so that the planner sees the partial index's condition.
const activeRuns = rawOnSqlite<{ id: number; status: ExecutionStatus }>(
  (sqlite) =>
    sqlite.prepare(
      `select id, status from executions where schedule_id = @scheduleId and status in ('queued', 'running', 'awaiting_approval') order by id`,
    ),
  ({ db, t }) =>
    db
      .select({ id: t.executions.id, status: t.executions.status })
      .from(t.executions)
      .where(
        and(
          eq(t.executions.scheduleId, sql.placeholder('scheduleId')),
          sql`${t.executions.status} in ('queued', 'running', 'awaiting_approval')`,
        ),
      )
      .orderBy(asc(t.executions.id))
      .prepare(),
);

/** The schedule's runs not yet ended (a run awaiting approval too), oldest first: what its overlap policy looks at. */
export function getActiveRunsOfSchedule(
  store: Store,
  scheduleId: number,
): Plan<{ id: number; status: ExecutionStatus }[]> {
  return preparedRowsOf(activeRuns(store), { scheduleId });
}

// As above, through the partial index workflow_runs_active_by_schedule.
const activeWorkflowRuns = preparedPerStore(({ db, t }: Store) =>
  db
    .select({ id: t.workflowRuns.id, status: t.workflowRuns.status })
    .from(t.workflowRuns)
    .where(
      and(
        eq(t.workflowRuns.scheduleId, sql.placeholder('scheduleId')),
        sql`${t.workflowRuns.status} in ('queued', 'running')`,
      ),
    )
    .orderBy(asc(t.workflowRuns.id))
    .prepare(),
);

/** A workflow target's runs from this schedule still queued or running, oldest first (its overlap policy). */
export function getActiveWorkflowRunsOfSchedule(
  store: Store,
  scheduleId: number,
): Plan<{ id: number; status: WorkflowRunStatus }[]> {
  return preparedRowsOf(activeWorkflowRuns(store), { scheduleId });
}

const slotFiring = rawOnSqlite<{ id: number }>(
  (sqlite) =>
    sqlite.prepare(
      'select id from schedule_firings where schedule_id = @scheduleId and scheduled_for = @slot',
    ),
  ({ db, t }) =>
    db
      .select({ id: t.scheduleFirings.id })
      .from(t.scheduleFirings)
      .where(
        and(
          eq(t.scheduleFirings.scheduleId, sql.placeholder('scheduleId')),
          eq(t.scheduleFirings.scheduledFor, sql.placeholder('slot')),
        ),
      )
      .prepare(),
);

export function* isSlotRecorded(store: Store, scheduleId: number, slot: number): Plan<boolean> {
  return (yield* preparedRowsOf(slotFiring(store), { scheduleId, slot })).length > 0;
}

type FiringValues = Required<Omit<NewScheduleFiring, 'id'>>;
const FIRING_FIELDS = [
  'scheduleId',
  'scheduledFor',
  'fireAt',
  'outcome',
  'executionId',
  'workflowRunId',
  'reason',
  'slotCount',
  'createdAt',
] as const satisfies readonly (keyof FiringValues)[];

// A slot is recorded once, whoever records it first (another claim, another web node): the unique
// (schedule, slot) key, and the second insert does nothing on both dialects.
const firingInsert = rawOnSqlite<{ id: number }>(
  (sqlite) =>
    sqliteInsertedId(
      sqlite.prepare(
        `insert into schedule_firings
         (schedule_id, scheduled_for, fire_at, outcome, execution_id, workflow_run_id, reason, slot_count, created_at)
       values (@scheduleId, @scheduledFor, @fireAt, @outcome, @executionId, @workflowRunId, @reason, @slotCount, @createdAt)
       on conflict (schedule_id, scheduled_for) do nothing`,
      ),
    ),
  ({ db, t }) =>
    db
      .insert(t.scheduleFirings)
      .values(
        Object.fromEntries(FIRING_FIELDS.map((field) => [field, sql.placeholder(field)])) as Record<
          keyof FiringValues,
          Placeholder
        >,
      )
      .onConflictDoNothing({ target: [t.scheduleFirings.scheduleId, t.scheduleFirings.scheduledFor] })
      .returning({ id: t.scheduleFirings.id })
      .prepare(),
);

/**
 * Records a firing and returns it as the pages show it; undefined when its slot was recorded
 * already (by another claim), in which case nothing is written.
 */
export function* insertFiring(store: Store, firing: FiringValues): Plan<ScheduleFiringDto | undefined> {
  const [row] = yield* preparedRowsOf(firingInsert(store), firing);
  if (!row) return undefined;
  // Written out, not spread: the tick makes a hundred of these (see Scheduler.record).
  return {
    id: row.id,
    scheduleId: firing.scheduleId,
    scheduledFor: firing.scheduledFor,
    fireAt: firing.fireAt,
    outcome: firing.outcome,
    executionId: firing.executionId,
    workflowRunId: firing.workflowRunId,
    reason: firing.reason,
    slotCount: firing.slotCount,
    createdAt: firing.createdAt,
    manual: firing.scheduledFor === null,
  };
}

const scheduleAdvance = rawOnSqlite(
  (sqlite) =>
    sqlite.prepare(
      'update schedules set next_run_at = @nextRunAt, next_fire_at = @nextFireAt where id = @id',
    ),
  ({ db, t }) =>
    db
      .update(t.schedules)
      .set({
        nextRunAt: sql`${sql.placeholder('nextRunAt')}`,
        nextFireAt: sql`${sql.placeholder('nextFireAt')}`,
      })
      .where(eq(t.schedules.id, sql.placeholder('id')))
      .prepare(),
);

/** Moves a schedule on to its next slot. */
export function* advanceSchedule(
  store: Store,
  id: number,
  nextRunAt: number,
  nextFireAt: number,
): Plan<void> {
  yield* preparedChangesOf(scheduleAdvance(store), { id, nextRunAt, nextFireAt });
}

/** Puts a schedule's next attempt off without moving its slot (after a claim failed). */
export function* postponeSchedule({ db, t }: Store, id: number, nextFireAt: number): Plan<void> {
  yield* changesOf(db.update(t.schedules).set({ nextFireAt }).where(eq(t.schedules.id, id)));
}
