import { count, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { WorkflowDefinitionInput } from '../../src/lib/contracts/workflows';
import { execute, type Plan, rowsOf, transaction } from '../../src/lib/db/plan';
import {
  getWorkflow,
  getWorkflowVersion,
  insertWorkflow,
  insertWorkflowVersion,
  isWorkflowNameTaken,
  listWorkflows,
  softDeleteWorkflow,
} from '../../src/lib/db/queries/workflows';
import type { Store } from '../../src/lib/db/store';
import { describeOnEachDialect, insertAgent } from '../helpers/stores';
import { twoStepDefinition } from '../helpers/workflowDrafts';

// The workflow definitions on both dialects: save, read, list, a new version that leaves the old
// one readable (what a run under way ran), the name rule, and the soft delete with its schedules.

const NOW = 1_800_000_000_000;

const definition = twoStepDefinition;

/** A schedule that starts the workflow, as the scheduler stores one. */
async function insertWorkflowSchedule({ db, t }: Store, workflowId: number): Promise<number> {
  const [row] = await db
    .insert(t.schedules)
    .values({
      workflowId,
      cronExpression: '0 * * * *',
      nextRunAt: 1,
      nextFireAt: 1,
      createdAt: 0,
      updatedAt: 0,
    })
    .returning({ id: t.schedules.id });
  if (!row) throw new Error('no schedule inserted');
  return row.id;
}

describeOnEachDialect('workflows', (store) => {
  const run = <T>(plan: (store: Store) => Plan<T>) => execute(store(), plan(store()));
  const inTransaction = <T>(plan: (tx: Store) => Plan<T>) => transaction(store(), plan);
  const save = (name: string, agentId: number, extra: Partial<WorkflowDefinitionInput> = {}) =>
    inTransaction((tx) => insertWorkflow(tx, definition(name, agentId, extra), NOW));

  it('saves a workflow at version 1 and reads back its definition with the defaults filled in', async () => {
    const agentId = await insertAgent(store(), 'saver');
    const saved = await save('fetch-and-sum', agentId, { maxCostUsd: 0.000001 });
    expect(saved).toMatchObject({ name: 'fetch-and-sum', version: 1, createdAt: NOW, updatedAt: NOW });
    const read = await run((s) => getWorkflow(s, saved.id));
    expect(read).toEqual(saved);
    expect(read).toMatchObject({
      description: '',
      maxParallel: 2,
      maxCostUsd: 0.000001,
      inputs: [{ name: 'url', required: true }],
      steps: [
        { key: 'fetch', agentId, dependsOn: [], runIf: 'success' },
        { key: 'sum', agentId, dependsOn: ['fetch'], runIf: 'success' },
      ],
    });
    expect(await run((s) => getWorkflow(s, saved.id + 1000))).toBeUndefined();
  });

  it('lists live workflows by name with their current version and step count', async () => {
    const agentId = await insertAgent(store(), 'lister');
    const zebra = await save('list-zebra', agentId);
    const alpha = await save('list-alpha', agentId, { description: 'First', maxCostUsd: 2.5 });
    const listed = (await run(listWorkflows)).filter((w) => w.name.startsWith('list-'));
    expect(listed).toEqual([
      {
        id: alpha.id,
        name: 'list-alpha',
        description: 'First',
        version: 1,
        stepCount: 2,
        maxCostUsd: 2.5,
        updatedAt: NOW,
      },
      {
        id: zebra.id,
        name: 'list-zebra',
        description: '',
        version: 1,
        stepCount: 2,
        maxCostUsd: null,
        updatedAt: NOW,
      },
    ]);
  });

  it('a new version becomes current, and the old one stays readable as a run under way ran it', async () => {
    const agentId = await insertAgent(store(), 'versioner');
    const saved = await save('versioned', agentId);
    const next = definition('versioned-renamed', agentId, {
      steps: [{ key: 'only', agentId, prompt: 'Just this.' }],
    });
    const updated = await inTransaction((tx) => insertWorkflowVersion(tx, saved.id, next, NOW + 5));
    expect(updated).toMatchObject({
      id: saved.id,
      version: 2,
      name: 'versioned-renamed',
      updatedAt: NOW + 5,
    });

    expect(await run((s) => getWorkflow(s, saved.id))).toMatchObject({
      version: 2,
      name: 'versioned-renamed',
      createdAt: NOW,
      steps: [{ key: 'only', prompt: 'Just this.' }],
    });
    const first = await run((s) => getWorkflowVersion(s, saved.id, 1));
    expect(first?.name).toBe('versioned');
    expect(first?.steps.map((step) => step.key)).toEqual(['fetch', 'sum']);
    expect((await run((s) => getWorkflowVersion(s, saved.id, 2)))?.steps.map((step) => step.key)).toEqual([
      'only',
    ]);
    expect(await run((s) => getWorkflowVersion(s, saved.id, 3))).toBeUndefined();
    // The old name is free once the rename is saved; the new one is taken.
    expect(await run((s) => isWorkflowNameTaken(s, 'versioned'))).toBe(false);
    expect(await run((s) => isWorkflowNameTaken(s, 'versioned-renamed'))).toBe(true);
  });

  it('a name is taken by another live workflow only: not by itself, and free again once deleted', async () => {
    const agentId = await insertAgent(store(), 'namer');
    const saved = await save('nightly', agentId);
    expect(await run((s) => isWorkflowNameTaken(s, 'nightly'))).toBe(true);
    expect(await run((s) => isWorkflowNameTaken(s, 'nightly', saved.id))).toBe(false);
    expect(await run((s) => isWorkflowNameTaken(s, 'Nightly'))).toBe(false);

    // The store refuses a second live workflow of the name, whatever the caller checked.
    await expect(save('nightly', agentId)).rejects.toMatchObject({
      code: store().dialect === 'postgres' ? '23505' : 'SQLITE_CONSTRAINT_UNIQUE',
    });

    expect(await inTransaction((tx) => softDeleteWorkflow(tx, saved.id, NOW + 1))).toBe(true);
    expect(await run((s) => isWorkflowNameTaken(s, 'nightly'))).toBe(false);
    const again = await save('nightly', agentId);
    expect(again.id).not.toBe(saved.id);
    expect(await run((s) => isWorkflowNameTaken(s, 'nightly', again.id))).toBe(false);
  });

  it('a soft delete hides the workflow, deletes its schedules, keeps its versions, and happens once', async () => {
    const { db, t } = store();
    const agentId = await insertAgent(store(), 'deleter');
    const doomed = await save('doomed', agentId);
    const kept = await save('kept', agentId);
    const doomedSchedule = await insertWorkflowSchedule(store(), doomed.id);
    const keptSchedule = await insertWorkflowSchedule(store(), kept.id);

    expect(await inTransaction((tx) => softDeleteWorkflow(tx, doomed.id, NOW + 9))).toBe(true);
    expect(await run((s) => getWorkflow(s, doomed.id))).toBeUndefined();
    expect((await run(listWorkflows)).map((w) => w.id)).not.toContain(doomed.id);
    expect((await run((s) => getWorkflowVersion(s, doomed.id, 1)))?.name).toBe('doomed');
    const schedules = await db
      .select({ id: t.schedules.id, deletedAt: t.schedules.deletedAt })
      .from(t.schedules)
      .where(eq(t.schedules.id, doomedSchedule))
      .union(
        db
          .select({ id: t.schedules.id, deletedAt: t.schedules.deletedAt })
          .from(t.schedules)
          .where(eq(t.schedules.id, keptSchedule)),
      );
    expect(new Map(schedules.map((row) => [row.id, row.deletedAt]))).toEqual(
      new Map([
        [doomedSchedule, NOW + 9],
        [keptSchedule, null],
      ]),
    );

    // A second delete, or a new version of a deleted workflow, finds nothing and writes nothing.
    expect(await inTransaction((tx) => softDeleteWorkflow(tx, doomed.id, NOW + 10))).toBe(false);
    expect(
      await inTransaction((tx) =>
        insertWorkflowVersion(tx, doomed.id, definition('doomed', agentId), NOW + 11),
      ),
    ).toBeUndefined();
    const versions = await execute(
      store(),
      rowsOf(
        db
          .select({ n: count() })
          .from(t.workflowVersions)
          .where(eq(t.workflowVersions.workflowId, doomed.id)),
      ),
    );
    expect(versions).toEqual([{ n: 1 }]);
    expect(await run((s) => getWorkflow(s, kept.id))).toMatchObject({ name: 'kept', version: 1 });
  });
});
