import { eq } from 'drizzle-orm';
import { beforeEach, expect, it, vi } from 'vitest';
import type { WorkflowDefinition } from '../../src/lib/contracts/workflows';
import { execute, rowsOf, transaction } from '../../src/lib/db/plan';
import {
  advanceSchedule,
  countPausedSchedules,
  getActiveRunsOfSchedule,
  getActiveWorkflowRunsOfSchedule,
  getEarliestFireAt,
  getLastFiring,
  getLastFirings,
  getScheduleWithTarget,
  getStatusesOfFiredRuns,
  insertFiring,
  insertSchedule,
  isSlotRecorded,
  listFiringsOfSchedule,
  listNextDueSchedules,
  listSchedulesLastUnrun,
  listSchedulesWithTarget,
  postponeSchedule,
  selectDueSchedules,
  softDeleteSchedule,
  updateScheduleRow,
} from '../../src/lib/db/queries/schedules';
import type { NewSchedule, NewScheduleFiring } from '../../src/lib/db/schema';
import type { Store } from '../../src/lib/db/store';
import { getSchedule, listFirings, listSchedules } from '../../src/lib/scheduling/schedules';
import {
  describeOnEachDialect,
  describeOnPostgres,
  emptyTables,
  insertAgent,
  insertRun,
  lockWaits,
  openPostgresTransaction,
} from '../helpers/stores';

// The schedule queries on both dialects: what the scheduler's tick reads and writes, and what the
// pages and the API show of it. The tick itself (slots, DST, catch-up) is tests/unit/scheduler.test.ts.

const NOW = 1_800_000_000_000;
const MINUTE = 60_000;

async function addSchedule(store: Store, fields: Partial<NewSchedule> = {}): Promise<number> {
  const agentId = fields.agentId ?? (await insertAgent(store, `agent-${Math.random()}`));
  const row = await execute(
    store,
    insertSchedule(store, {
      agentId,
      cronExpression: '*/5 * * * *',
      nextRunAt: NOW,
      nextFireAt: NOW,
      createdAt: NOW,
      updatedAt: NOW,
      ...fields,
    }),
  );
  return row.id;
}

type FiringFields = Partial<Omit<NewScheduleFiring, 'id'>> & Pick<NewScheduleFiring, 'scheduleId'>;

function firing(fields: FiringFields): Required<Omit<NewScheduleFiring, 'id'>> {
  return {
    scheduledFor: NOW,
    fireAt: NOW,
    outcome: 'started',
    executionId: null,
    workflowRunId: null,
    reason: 'Started',
    slotCount: 1,
    createdAt: NOW,
    ...fields,
  };
}

async function firingsOf(store: Store, scheduleId: number) {
  const { db, t } = store;
  return execute(
    store,
    rowsOf(db.select().from(t.scheduleFirings).where(eq(t.scheduleFirings.scheduleId, scheduleId))),
  );
}

/** A workflow with one version, and a run of it from `scheduleId` with `status`. */
async function insertWorkflowRun(store: Store, scheduleId: number, status: 'queued' | 'completed') {
  const { db, t } = store;
  const name = `wf-${Math.random()}`;
  const [workflow] = await db
    .insert(t.workflows)
    .values({ name, version: 1, createdAt: NOW, updatedAt: NOW })
    .returning({ id: t.workflows.id });
  if (!workflow) throw new Error('no workflow inserted');
  const definition = { name, steps: [] } as unknown as WorkflowDefinition;
  await db
    .insert(t.workflowVersions)
    .values({ workflowId: workflow.id, version: 1, definition, createdAt: NOW });
  const [run] = await db
    .insert(t.workflowRuns)
    .values({
      workflowId: workflow.id,
      workflowVersion: 1,
      status,
      trigger: 'schedule',
      scheduleId,
      input: {},
      createdAt: NOW,
    })
    .returning({ id: t.workflowRuns.id });
  if (!run) throw new Error('no workflow run inserted');
  return { workflowId: workflow.id, runId: run.id };
}

describeOnEachDialect('schedules', (store) => {
  beforeEach(() =>
    emptyTables(store(), (t) => [t.scheduleFirings, t.workflowRuns, t.executions, t.schedules]),
  );

  it('the tick reads the due schedules soonest first, ties by id, never a paused, deleted or future one', async () => {
    const s = store();
    const later = await addSchedule(s, { nextFireAt: NOW - MINUTE });
    const tieA = await addSchedule(s, { nextFireAt: NOW - 2 * MINUTE });
    const tieB = await addSchedule(s, { nextFireAt: NOW - 2 * MINUTE });
    const soonest = await addSchedule(s, {
      nextFireAt: NOW - 10 * MINUTE,
      catchUp: 'latest',
      jitterSeconds: 30,
    });
    await addSchedule(s, { nextFireAt: NOW + MINUTE });
    await addSchedule(s, { enabled: false, nextFireAt: NOW - 20 * MINUTE });
    const deleted = await addSchedule(s, { nextFireAt: NOW - 20 * MINUTE });
    expect(await execute(s, softDeleteSchedule(s, deleted, NOW))).toBe(true);

    const due = await execute(s, selectDueSchedules(s, NOW, 100));
    expect(due.map((row) => row.id)).toEqual([soonest, tieA, tieB, later]);
    expect(due[0]).toMatchObject({
      cronExpression: '*/5 * * * *',
      timezone: 'UTC',
      catchUp: 'latest',
      catchUpWindowSeconds: 3_600,
      jitterSeconds: 30,
      overlapPolicy: 'skip',
      nextRunAt: NOW,
      workflowInput: null,
      targetDeletedAt: null,
    });
    // A batch at a time.
    expect((await execute(s, selectDueSchedules(s, NOW, 2))).map((row) => row.id)).toEqual([soonest, tieA]);
    // The next wake-up: the earliest live, enabled slot, the paused and the deleted ignored.
    expect(await execute(s, getEarliestFireAt(s))).toBe(NOW - 10 * MINUTE);
  });

  it('a due schedule says when its target was deleted, and carries a workflow input as the values', async () => {
    const s = store();
    const agentId = await insertAgent(s, 'gone');
    const orphan = await addSchedule(s, { agentId });
    await s.db
      .update(s.t.agentConfigurations)
      .set({ deletedAt: NOW - 1 })
      .where(eq(s.t.agentConfigurations.id, agentId));
    const placeholder = await addSchedule(s);
    const { workflowId } = await insertWorkflowRun(s, placeholder, 'completed');
    const ofWorkflow = await addSchedule(s, {
      agentId: null,
      workflowId,
      workflowInput: { region: 'eu-west', note: 'a "quoted" ünïcode value' },
    });

    const due = new Map((await execute(s, selectDueSchedules(s, NOW, 100))).map((row) => [row.id, row]));
    expect(due.get(orphan)?.targetDeletedAt).toBe(NOW - 1);
    expect(due.get(ofWorkflow)).toMatchObject({
      agentId: null,
      workflowId,
      workflowInput: { region: 'eu-west', note: 'a "quoted" ünïcode value' },
      targetDeletedAt: null,
    });
  });

  it('pausing: counted on the dashboard, gone from the next runs and from the wake-up', async () => {
    const s = store();
    const paused = await addSchedule(s, { nextFireAt: NOW - MINUTE });
    const second = await addSchedule(s, { nextFireAt: NOW + 2 * MINUTE });
    const first = await addSchedule(s, { nextFireAt: NOW + MINUTE });
    expect(await execute(s, countPausedSchedules(s))).toBe(0);

    const row = await execute(
      s,
      updateScheduleRow(s, paused, { enabled: false, nextRunAt: null, nextFireAt: null, updatedAt: NOW }),
    );
    expect(row).toMatchObject({ id: paused, enabled: false, nextFireAt: null });
    expect(await execute(s, countPausedSchedules(s))).toBe(1);
    expect((await execute(s, listNextDueSchedules(s, 10))).map((r) => r.id)).toEqual([first, second]);
    expect(await execute(s, getEarliestFireAt(s))).toBe(NOW + MINUTE);
    expect((await execute(s, selectDueSchedules(s, NOW + 10 * MINUTE, 100))).map((r) => r.id)).toEqual([
      first,
      second,
    ]);

    // Deleted: no longer counted, changed or read; a second delete finds nothing.
    expect(await execute(s, softDeleteSchedule(s, paused, NOW))).toBe(true);
    expect(await execute(s, countPausedSchedules(s))).toBe(0);
    expect(await execute(s, updateScheduleRow(s, paused, { name: 'x' }))).toBeUndefined();
    expect(await execute(s, getScheduleWithTarget(s, paused))).toBeUndefined();
    expect(await execute(s, softDeleteSchedule(s, paused, NOW))).toBe(false);
  });

  it('lists schedules with their target’s name, newest first, by agent, keyset-paged', async () => {
    const s = store();
    const agentId = await insertAgent(s, 'nightly-report');
    const a = await addSchedule(s, { agentId, name: 'a' });
    const b = await addSchedule(s, { agentId, name: 'b' });
    const other = await addSchedule(s);
    const c = await addSchedule(s, { agentId, name: 'c' });

    const ofAgent = await execute(s, listSchedulesWithTarget(s, { agentId, limit: 10 }));
    expect(ofAgent.map((row) => [row.id, row.agentName, row.workflowName])).toEqual([
      [c, 'nightly-report', null],
      [b, 'nightly-report', null],
      [a, 'nightly-report', null],
    ]);
    expect((await execute(s, listSchedulesWithTarget(s, { limit: 10 }))).map((r) => r.id)).toEqual([
      c,
      other,
      b,
      a,
    ]);

    // As the API pages it: two, then the rest from the last id.
    const first = await execute(s, listSchedules(s, { agentId, limit: 2 }));
    expect(first.items.map((item) => item.id)).toEqual([c, b]);
    expect(first.nextBefore).toBe(b);
    const rest = await execute(s, listSchedules(s, { agentId, limit: 2, before: b }));
    expect(rest).toMatchObject({ items: [{ id: a, agentName: 'nightly-report' }], nextBefore: null });
  });

  it('catch-up bookkeeping: a slot recorded, the schedule advanced or put off, the last firing read back', async () => {
    const s = store();
    const id = await addSchedule(s, { nextRunAt: NOW, nextFireAt: NOW });
    expect(await execute(s, isSlotRecorded(s, id, NOW))).toBe(false);
    expect(await execute(s, getLastFiring(s, id))).toBeUndefined();

    // A claim after downtime: two slots missed in one row, the latest caught up, then the next slot.
    const missed = await execute(
      s,
      insertFiring(
        s,
        firing({
          scheduleId: id,
          scheduledFor: NOW - 10 * MINUTE,
          outcome: 'missed',
          reason: 'Missed',
          slotCount: 2,
        }),
      ),
    );
    const caughtUp = await execute(
      s,
      insertFiring(
        s,
        firing({ scheduleId: id, scheduledFor: NOW, outcome: 'caught_up', reason: 'Caught up' }),
      ),
    );
    await execute(s, advanceSchedule(s, id, NOW + 5 * MINUTE, NOW + 5 * MINUTE + 1_234));

    expect(missed).toMatchObject({ scheduleId: id, outcome: 'missed', slotCount: 2, manual: false });
    expect(caughtUp?.id).toBeGreaterThan(missed?.id ?? Number.POSITIVE_INFINITY);
    expect(await execute(s, isSlotRecorded(s, id, NOW))).toBe(true);
    expect(await execute(s, isSlotRecorded(s, id, NOW + 5 * MINUTE))).toBe(false);
    expect(await execute(s, getScheduleWithTarget(s, id))).toMatchObject({
      nextRunAt: NOW + 5 * MINUTE,
      nextFireAt: NOW + 5 * MINUTE + 1_234,
    });
    expect(await execute(s, getLastFiring(s, id))).toMatchObject({ id: caughtUp?.id, outcome: 'caught_up' });
    expect(await execute(s, selectDueSchedules(s, NOW + 5 * MINUTE, 100))).toEqual([]);

    // A claim that failed is put off without moving its slot.
    await execute(s, postponeSchedule(s, id, NOW + 30_000));
    expect(await execute(s, getScheduleWithTarget(s, id))).toMatchObject({
      nextRunAt: NOW + 5 * MINUTE,
      nextFireAt: NOW + 30_000,
    });
    expect((await execute(s, selectDueSchedules(s, NOW + 30_000, 100))).map((r) => r.id)).toEqual([id]);
  });

  it('a slot is recorded once: a second insert of it writes nothing; manual runs are never one slot', async () => {
    const s = store();
    const id = await addSchedule(s);
    const first = await execute(s, insertFiring(s, firing({ scheduleId: id, reason: 'first' })));
    const second = await execute(s, insertFiring(s, firing({ scheduleId: id, reason: 'second' })));
    expect(first).toMatchObject({ scheduleId: id, scheduledFor: NOW, reason: 'first' });
    expect(second).toBeUndefined();
    expect((await firingsOf(s, id)).map((row) => row.reason)).toEqual(['first']);

    // In one transaction with other writes, the refused insert fails nothing else (no error).
    const inTransaction = await transaction(s, function* (tx) {
      const again = yield* insertFiring(tx, firing({ scheduleId: id, reason: 'third' }));
      yield* advanceSchedule(tx, id, NOW + MINUTE, NOW + MINUTE);
      return again;
    });
    expect(inTransaction).toBeUndefined();
    expect(await execute(s, getScheduleWithTarget(s, id))).toMatchObject({ nextRunAt: NOW + MINUTE });

    const manual = firing({ scheduleId: id, scheduledFor: null, reason: 'Run now' });
    const runs = [await execute(s, insertFiring(s, manual)), await execute(s, insertFiring(s, manual))];
    expect(runs.map((run) => run?.manual)).toEqual([true, true]);
    expect(await firingsOf(s, id)).toHaveLength(3);
  });

  it('the history: newest first, paged, with the current status of the runs each firing started', async () => {
    const s = store();
    const agentId = await insertAgent(s, 'history');
    const id = await addSchedule(s, { agentId });
    const done = await insertRun(s, agentId, { status: 'completed', scheduleId: id });
    const running = await insertRun(s, agentId, { status: 'running', scheduleId: id });
    const { runId: workflowRun } = await insertWorkflowRun(s, id, 'queued');
    const ids: number[] = [];
    for (const [i, fields] of [
      { executionId: done },
      { outcome: 'skipped_overlap' as const, reason: 'Skipped' },
      { executionId: running },
      { workflowRunId: workflowRun },
    ].entries()) {
      const row = await execute(
        s,
        insertFiring(s, firing({ scheduleId: id, scheduledFor: NOW + i * MINUTE, ...fields })),
      );
      if (row) ids.push(row.id);
    }

    const page = await execute(s, listFiringsOfSchedule(s, id, { limit: 3 }));
    expect(page.map((row) => row.id)).toEqual([ids[3], ids[2], ids[1]]);
    expect(
      (await execute(s, listFiringsOfSchedule(s, id, { limit: 3, before: ids[1] }))).map((r) => r.id),
    ).toEqual([ids[0]]);
    const statuses = await execute(
      s,
      getStatusesOfFiredRuns(s, [
        ...page,
        ...(await execute(s, listFiringsOfSchedule(s, id, { limit: 3, before: ids[1] }))),
      ]),
    );
    expect(statuses).toEqual({
      runs: { [done]: 'completed', [running]: 'running' },
      workflowRuns: { [workflowRun]: 'queued' },
    });
    expect(await execute(s, getStatusesOfFiredRuns(s, []))).toEqual({ runs: {}, workflowRuns: {} });

    // As the API pages it, and as the schedule shows its last firing.
    const apiPage = await execute(s, listFirings(s, id, { limit: 2 }));
    expect(apiPage.items.map((item) => [item.id, item.manual])).toEqual([
      [ids[3], false],
      [ids[2], false],
    ]);
    expect(apiPage.nextBefore).toBe(ids[2]);
    expect((await execute(s, getSchedule(s, id))).lastFiring).toMatchObject({ id: ids[3], manual: false });
    const [listed] = (await execute(s, listSchedules(s, { agentId, limit: 1 }))).items;
    expect(listed?.lastFiring).toMatchObject({ id: ids[3], workflowRunId: workflowRun });
    await expect(execute(s, listFirings(s, id + 1_000, { limit: 2 }))).rejects.toThrow('Schedule not found');

    // What the overlap policy looks at: the runs not yet ended, oldest first.
    const queued = await insertRun(s, agentId, { status: 'queued', scheduleId: id });
    const waiting = await insertRun(s, agentId, { status: 'awaiting_approval', scheduleId: id });
    expect(await execute(s, getActiveRunsOfSchedule(s, id))).toEqual([
      { id: running, status: 'running' },
      { id: queued, status: 'queued' },
      { id: waiting, status: 'awaiting_approval' },
    ]);
    expect(await execute(s, getActiveWorkflowRunsOfSchedule(s, id))).toEqual([
      { id: workflowRun, status: 'queued' },
    ]);
  });

  it('the dashboard: the last firing of each schedule, and those whose last firing started nothing', async () => {
    const s = store();
    const fine = await addSchedule(s);
    const refused = await addSchedule(s);
    const recovered = await addSchedule(s);
    const never = await addSchedule(s);
    const record = (scheduleId: number, slot: number, outcome: NewScheduleFiring['outcome']) =>
      execute(s, insertFiring(s, firing({ scheduleId, scheduledFor: NOW + slot * MINUTE, outcome })));
    await record(fine, 0, 'started');
    await record(refused, 0, 'started');
    const lastRefused = await record(refused, 1, 'refused_budget');
    await record(recovered, 0, 'missed');
    const lastRecovered = await record(recovered, 1, 'caught_up');

    const last = await execute(s, getLastFirings(s, [fine, refused, recovered, never]));
    expect([...last.keys()].sort((x, y) => x - y)).toEqual([fine, refused, recovered]);
    expect(last.get(refused)?.id).toBe(lastRefused?.id);
    expect(last.get(recovered)?.id).toBe(lastRecovered?.id);
    expect(await execute(s, getLastFirings(s, []))).toEqual(new Map());

    expect((await execute(s, listSchedulesLastUnrun(s, 10))).map((row) => row.id)).toEqual([refused]);
    await execute(s, softDeleteSchedule(s, refused, NOW));
    expect(await execute(s, listSchedulesLastUnrun(s, 10))).toEqual([]);
  });
});

describeOnPostgres('schedules, two claims at once', (store) => {
  it('a slot another node is recording: the second insert waits for its commit, then writes nothing', async () => {
    const s = store();
    const id = await addSchedule(s);
    const { first, second } = await openPostgresTransaction(s, async (tx) => {
      const first = await execute(tx, insertFiring(tx, firing({ scheduleId: id, reason: 'node A' })));
      // Node B's insert, on another connection of the pool, waits on A's uncommitted row.
      const second = execute(s, insertFiring(s, firing({ scheduleId: id, reason: 'node B' })));
      await vi.waitFor(async () => expect(await lockWaits(s)).toBeGreaterThan(0));
      return { first, second };
    });
    expect(first).toMatchObject({ reason: 'node A' });
    expect(await second).toBeUndefined();
    expect((await firingsOf(s, id)).map((row) => row.reason)).toEqual(['node A']);
  });
});

describeOnPostgres('schedules, two ticks at once', (store) => {
  it('a second node’s due read skips the schedules an open claim holds, rather than wait for it', async () => {
    const s = store();
    const ids = [await addSchedule(s), await addSchedule(s), await addSchedule(s)];
    const { held, other } = await openPostgresTransaction(s, async (tx) => {
      const held = await execute(tx, selectDueSchedules(tx, NOW, 2));
      return { held, other: await execute(s, selectDueSchedules(s, NOW, 100)) };
    });
    expect(held.map((row) => row.id)).toEqual(ids.slice(0, 2));
    expect(other.map((row) => row.id)).toEqual(ids.slice(2));
  });
});
