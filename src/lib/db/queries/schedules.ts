import { and, asc, desc, eq, getTableColumns, inArray, isNull, lt, min, type SQL, sql } from 'drizzle-orm';
import type { ExecutionStatus } from '../../contracts/executions';
import { type ScheduleFiringDto, UNRUN_OUTCOMES } from '../../contracts/schedules';
import type { WorkflowInputValues, WorkflowRunStatus } from '../../contracts/workflows';
import type { Db, DbConnection } from '../index';
import { changesOf, type Plan } from '../plan';
import { preparedPerConnection, statementPerConnection } from '../prepared';
import { insertedRow, updatedRow } from '../returning';
import {
  agentConfigurations,
  executions,
  type NewSchedule,
  type NewScheduleFiring,
  type Schedule,
  type ScheduleFiring,
  scheduleFirings,
  schedules,
  workflowRuns,
  workflows,
} from '../schema';
import type { Store, Tables } from '../store';

/** A schedule with its target's name: the agent's, or the workflow's (the other is null). */
export type ScheduleWithTarget = Schedule & { agentName: string | null; workflowName: string | null };

export function toFiringDto(row: ScheduleFiring): ScheduleFiringDto {
  return { ...row, manual: row.scheduledFor === null };
}

const live = isNull(schedules.deletedAt);
const withTargetName = {
  ...getTableColumns(schedules),
  agentName: agentConfigurations.name,
  workflowName: workflows.name,
};

/** Schedules joined to their target, whichever of the two it is. */
function fromSchedulesWithTarget(db: Db) {
  return db
    .select(withTargetName)
    .from(schedules)
    .leftJoin(agentConfigurations, eq(agentConfigurations.id, schedules.agentId))
    .leftJoin(workflows, eq(workflows.id, schedules.workflowId));
}

function selectSchedules(db: Db, where: SQL | undefined, orderBy: SQL, limit: number): ScheduleWithTarget[] {
  return fromSchedulesWithTarget(db).where(where).orderBy(orderBy).limit(limit).all();
}

export function insertSchedule(db: Db, values: NewSchedule): Schedule {
  return insertedRow(db.insert(schedules).values(values).returning().all());
}

/** Changes a live schedule; undefined when there is none. */
export function updateScheduleRow(db: Db, id: number, patch: Partial<NewSchedule>): Schedule | undefined {
  return updatedRow(
    db
      .update(schedules)
      .set(patch)
      .where(and(eq(schedules.id, id), live))
      .returning()
      .all(),
  );
}

/** Soft delete: the schedule stops and disappears from lists; its firings and runs stay. */
export function softDeleteSchedule(db: Db, id: number, now: number): boolean {
  const result = db
    .update(schedules)
    .set({ deletedAt: now, updatedAt: now, nextRunAt: null, nextFireAt: null })
    .where(and(eq(schedules.id, id), live))
    .run();
  return result.changes > 0;
}

// A plan on a Store (see plan.ts), as the agent's delete it takes part in is.
const deletedWithTarget = ({ db, t }: Store, target: (table: Tables['schedules']) => SQL, now: number) =>
  changesOf(
    db
      .update(t.schedules)
      .set({ deletedAt: now, updatedAt: now, nextRunAt: null, nextFireAt: null })
      .where(and(target(t.schedules), isNull(t.schedules.deletedAt))),
  );

/** Every live schedule of an agent, deleted with it (to be called in the agent's delete). */
export function softDeleteSchedulesOfAgent(store: Store, agentId: number, now: number): Plan<number> {
  return deletedWithTarget(store, (table) => eq(table.agentId, agentId), now);
}

/** Every live schedule of a workflow, deleted with it (to be called in the workflow's delete). */
export function softDeleteSchedulesOfWorkflow(store: Store, workflowId: number, now: number): Plan<number> {
  return deletedWithTarget(store, (table) => eq(table.workflowId, workflowId), now);
}

// Read for every claim that records a refusal or a miss (its notification), and by every page: prepared.
const scheduleById = preparedPerConnection((db) =>
  fromSchedulesWithTarget(db)
    .where(and(eq(schedules.id, sql.placeholder('id')), live))
    .prepare(),
);

export function getScheduleWithTarget(db: Db, id: number): ScheduleWithTarget | undefined {
  return scheduleById(db).get({ id });
}

export interface ScheduleListFilter {
  agentId?: number;
  workflowId?: number;
  limit: number;
  before?: number;
}

/** Newest first, keyset-paged by id. */
export function listSchedulesWithTarget(db: Db, filter: ScheduleListFilter): ScheduleWithTarget[] {
  const where = and(
    live,
    filter.agentId === undefined ? undefined : eq(schedules.agentId, filter.agentId),
    filter.workflowId === undefined ? undefined : eq(schedules.workflowId, filter.workflowId),
    filter.before === undefined ? undefined : lt(schedules.id, filter.before),
  );
  return selectSchedules(db, where, desc(schedules.id), filter.limit);
}

/** The dashboard: how many schedules are paused (why nothing may be ahead). */
export function countPausedSchedules(db: Db): number {
  const [row] = db
    .select({ count: sql<number>`count(*)` })
    .from(schedules)
    .where(and(eq(schedules.enabled, false), live))
    .all();
  return row?.count ?? 0;
}

/** The dashboard's "next scheduled runs": enabled schedules by when they fire next. */
export function listNextDueSchedules(db: Db, limit: number): ScheduleWithTarget[] {
  return selectSchedules(
    db,
    and(eq(schedules.enabled, true), live, sql`${schedules.nextFireAt} is not null`),
    asc(schedules.nextFireAt),
    limit,
  );
}

const lastFiringId = sql<
  number | null
>`(select max(${scheduleFirings.id}) from ${scheduleFirings} where ${scheduleFirings.scheduleId} = ${schedules.id})`;

const lastFiring = preparedPerConnection((db) =>
  db
    .select()
    .from(scheduleFirings)
    .where(eq(scheduleFirings.scheduleId, sql.placeholder('scheduleId')))
    .orderBy(desc(scheduleFirings.id))
    .limit(1)
    .prepare(),
);

/** A schedule's last firing, if it fired. */
export function getLastFiring(db: Db, scheduleId: number): ScheduleFiring | undefined {
  return lastFiring(db).get({ scheduleId });
}

/** The last firing of each schedule, by schedule id. */
export function getLastFirings(db: Db, scheduleIds: number[]): Map<number, ScheduleFiring> {
  if (scheduleIds.length === 0) return new Map();
  const rows = db
    .select({ firing: scheduleFirings })
    .from(schedules)
    .innerJoin(scheduleFirings, eq(scheduleFirings.id, lastFiringId))
    .where(inArray(schedules.id, scheduleIds))
    .all();
  return new Map(rows.map(({ firing }) => [firing.scheduleId, firing]));
}

/**
 * The dashboard's warning: live schedules whose last firing started no run (refused, skipped,
 * missed), newest schedule first: walking schedules by id needs no sort, and the limit ends the walk.
 */
export function listSchedulesLastUnrun(db: Db, limit: number): ScheduleWithTarget[] {
  return fromSchedulesWithTarget(db)
    .innerJoin(scheduleFirings, eq(scheduleFirings.id, lastFiringId))
    .where(and(live, inArray(scheduleFirings.outcome, [...UNRUN_OUTCOMES])))
    .orderBy(desc(schedules.id))
    .limit(limit)
    .all();
}

/** A schedule's history, newest first, keyset-paged by id. */
export function listFiringsOfSchedule(
  db: Db,
  scheduleId: number,
  filter: { limit: number; before?: number },
): ScheduleFiring[] {
  return db
    .select()
    .from(scheduleFirings)
    .where(
      and(
        eq(scheduleFirings.scheduleId, scheduleId),
        filter.before === undefined ? undefined : lt(scheduleFirings.id, filter.before),
      ),
    )
    .orderBy(desc(scheduleFirings.id))
    .limit(filter.limit)
    .all();
}

/** The current status of the runs a page of firings started, by id: executions and workflow runs. */
export function getStatusesOfFiredRuns(
  db: Db,
  firings: readonly Pick<ScheduleFiring, 'executionId' | 'workflowRunId'>[],
): { runs: Record<number, ExecutionStatus>; workflowRuns: Record<number, WorkflowRunStatus> } {
  const executionIds = firings.flatMap((firing) => (firing.executionId === null ? [] : [firing.executionId]));
  const workflowRunIds = firings.flatMap((firing) =>
    firing.workflowRunId === null ? [] : [firing.workflowRunId],
  );
  const runs =
    executionIds.length === 0
      ? []
      : db
          .select({ id: executions.id, status: executions.status })
          .from(executions)
          .where(inArray(executions.id, executionIds))
          .all();
  const workflowRunRows =
    workflowRunIds.length === 0
      ? []
      : db
          .select({ id: workflowRuns.id, status: workflowRuns.status })
          .from(workflowRuns)
          .where(inArray(workflowRuns.id, workflowRunIds))
          .all();
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

type DueRow = Omit<DueSchedule, 'workflowInput'> & { workflowInput: string | null };

// The tick's read, a hundred rows at a time: a statement on the connection, the columns named as
// the code names them, as drizzle's row mapping of every column cost twice SQLite's answer.
const dueSchedules = statementPerConnection((sqlite) =>
  sqlite.prepare<[number, number], DueRow>(
    `select s.id, s.agent_id as agentId, s.workflow_id as workflowId, s.workflow_input as workflowInput,
       s.prompt, s.approval_timeout_minutes as approvalTimeoutMinutes, s.cron_expression as cronExpression, s.timezone, s.overlap_policy as overlapPolicy,
       s.catch_up as catchUp, s.catch_up_window_seconds as catchUpWindowSeconds,
       s.jitter_seconds as jitterSeconds, s.next_run_at as nextRunAt,
       coalesce(a.deleted_at, w.deleted_at) as targetDeletedAt
     from schedules s
     left join agent_configurations a on a.id = s.agent_id
     left join workflows w on w.id = s.workflow_id
     where s.enabled = 1 and s.deleted_at is null and s.next_fire_at <= ?
     order by s.next_fire_at
     limit ?`,
  ),
);

/** Enabled live schedules whose next slot is due, soonest first: read through `schedules_due`. */
export function selectDueSchedules(db: DbConnection, now: number, limit: number): DueSchedule[] {
  return dueSchedules(db)
    .all(now, limit)
    .map((row) => ({
      ...row,
      workflowInput:
        row.workflowInput === null ? null : (JSON.parse(row.workflowInput) as WorkflowInputValues),
    }));
}

const earliestFire = preparedPerConnection((db) =>
  db
    .select({ at: min(schedules.nextFireAt) })
    .from(schedules)
    .where(and(eq(schedules.enabled, true), live))
    .prepare(),
);

/** When the next slot of any schedule is due; null when none is scheduled. */
export function getEarliestFireAt(db: Db): number | null {
  return earliestFire(db).get()?.at ?? null;
}

// The statuses written out (not bound) so that SQLite sees the partial index's condition.
const activeRuns = statementPerConnection((sqlite) =>
  sqlite.prepare<[number], { id: number; status: ExecutionStatus }>(
    `select id, status from executions where schedule_id = ? and status in ('queued', 'running', 'awaiting_approval') order by id`,
  ),
);

/** The schedule's runs not yet ended (a run awaiting approval too), oldest first: what its overlap policy looks at. */
export function getActiveRunsOfSchedule(
  db: DbConnection,
  scheduleId: number,
): { id: number; status: ExecutionStatus }[] {
  return activeRuns(db).all(scheduleId);
}

// As above, through the partial index workflow_runs_active_by_schedule.
const activeWorkflowRuns = preparedPerConnection((db) =>
  db
    .select({ id: workflowRuns.id, status: workflowRuns.status })
    .from(workflowRuns)
    .where(
      and(
        eq(workflowRuns.scheduleId, sql.placeholder('scheduleId')),
        sql`${workflowRuns.status} in ('queued', 'running')`,
      ),
    )
    .orderBy(asc(workflowRuns.id))
    .prepare(),
);

/** A workflow target's runs from this schedule still queued or running, oldest first (its overlap policy). */
export function getActiveWorkflowRunsOfSchedule(
  db: Db,
  scheduleId: number,
): { id: number; status: WorkflowRunStatus }[] {
  return activeWorkflowRuns(db).all({ scheduleId });
}

const slotFiring = statementPerConnection((sqlite) =>
  sqlite
    .prepare<[number, number], 1>(
      'select 1 from schedule_firings where schedule_id = ? and scheduled_for = ?',
    )
    .pluck(),
);

export function isSlotRecorded(db: DbConnection, scheduleId: number, slot: number): boolean {
  return slotFiring(db).get(scheduleId, slot) !== undefined;
}

const firingInsert = statementPerConnection((sqlite) =>
  sqlite.prepare<
    [number, number | null, number, string, number | null, number | null, string, number, number]
  >(
    `insert into schedule_firings
       (schedule_id, scheduled_for, fire_at, outcome, execution_id, workflow_run_id, reason, slot_count, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ),
);

/**
 * Records a firing and returns it as the pages show it. Its id comes from the insert's rowid (a
 * RETURNING row costs drizzle twice the insert's own time here), its values are bound by position.
 */
export function insertFiring(
  db: DbConnection,
  firing: Required<Omit<NewScheduleFiring, 'id'>>,
): ScheduleFiringDto {
  const { scheduleId, scheduledFor, fireAt, outcome, executionId, workflowRunId, reason, slotCount } = firing;
  const { lastInsertRowid } = firingInsert(db).run(
    scheduleId,
    scheduledFor,
    fireAt,
    outcome,
    executionId,
    workflowRunId,
    reason,
    slotCount,
    firing.createdAt,
  );
  return { id: Number(lastInsertRowid), ...firing, manual: scheduledFor === null };
}

const scheduleAdvance = statementPerConnection((sqlite) =>
  sqlite.prepare<[number, number, number]>(
    'update schedules set next_run_at = ?, next_fire_at = ? where id = ?',
  ),
);

/** Moves a schedule on to its next slot. */
export function advanceSchedule(db: DbConnection, id: number, nextRunAt: number, nextFireAt: number): void {
  scheduleAdvance(db).run(nextRunAt, nextFireAt, id);
}

/** Puts a schedule's next attempt off without moving its slot (after a claim failed). */
export function postponeSchedule(db: Db, id: number, nextFireAt: number): void {
  db.update(schedules).set({ nextFireAt }).where(eq(schedules.id, id)).run();
}
