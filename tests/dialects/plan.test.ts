import { asc, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import {
  changesOf,
  execute,
  firstOf,
  type Plan,
  preparedRowsOf,
  rowsOf,
  transaction,
} from '../../src/lib/db/plan';
import type { Store } from '../../src/lib/db/store';
import { describeOnEachDialect } from '../helpers/stores';

// Plans (src/lib/db/plan.ts) are the dialect-neutral way to write a query or a transaction once:
// these check that both dialects run them the same way, commit them whole and roll them back whole.

function* addWorker({ db, t }: Store, id: string, startedAt = 1): Plan<void> {
  yield* changesOf(
    db
      .insert(t.workers)
      .values({ id, host: 'box', labels: [], version: '1', startedAt, lastBeatAt: startedAt }),
  );
}

function* workerIds({ db, t }: Store): Plan<string[]> {
  const rows = yield* rowsOf(db.select({ id: t.workers.id }).from(t.workers).orderBy(asc(t.workers.id)));
  return rows.map((row) => row.id);
}

describeOnEachDialect('plans', (store) => {
  it('hand each statement its result: rows, the first row, and the rows a write changed', async () => {
    await execute(store(), addWorker(store(), 'a'));
    await execute(store(), addWorker(store(), 'b'));
    expect(await execute(store(), workerIds(store()))).toEqual(['a', 'b']);

    const { db, t } = store();
    const first = await execute(store(), firstOf(db.select().from(t.workers).where(eq(t.workers.id, 'b'))));
    expect(first).toMatchObject({ id: 'b', host: 'box', labels: [], startedAt: 1 });
    expect(await execute(store(), firstOf(db.select().from(t.workers).where(eq(t.workers.id, 'none'))))).toBe(
      undefined,
    );
    expect(await execute(store(), changesOf(db.update(t.workers).set({ lastBeatAt: 5 })))).toBe(2);
    expect(await execute(store(), changesOf(db.delete(t.workers).where(eq(t.workers.id, 'none'))))).toBe(0);
    expect(await execute(store(), changesOf(db.delete(t.workers)))).toBe(2);
  });

  it('run a statement prepared on SQLite there, and refuse it on Postgres rather than misread it', async () => {
    const prepared = preparedRowsOf(() => [{ id: 'from the prepared statement' }]);
    if (store().dialect === 'sqlite')
      expect(await execute(store(), prepared)).toEqual([{ id: 'from the prepared statement' }]);
    else await expect(execute(store(), prepared)).rejects.toThrow(/prepared on SQLite was run on Postgres/);
  });

  it('commit a transaction whole: composed plans see each other’s writes before the commit', async () => {
    const seen = await transaction(store(), function* (tx) {
      yield* addWorker(tx, 'tx-1');
      yield* addWorker(tx, 'tx-2');
      return yield* workerIds(tx);
    });
    expect(seen).toEqual(['tx-1', 'tx-2']);
    expect(await execute(store(), workerIds(store()))).toEqual(['tx-1', 'tx-2']);
  });

  it('roll a transaction back whole when a statement fails, and say why', async () => {
    const failed = transaction(store(), function* (tx) {
      yield* addWorker(tx, 'rolled-back');
      // The same key again: the primary key refuses it.
      yield* addWorker(tx, 'tx-1');
    });
    await expect(failed).rejects.toThrow(/unique|UNIQUE|duplicate/);
    expect(await execute(store(), workerIds(store()))).toEqual(['tx-1', 'tx-2']);
  });

  it('roll a transaction back when its own code throws, and run the plan’s finally blocks', async () => {
    const steps: string[] = [];
    const failed = transaction(store(), function* (tx) {
      try {
        yield* addWorker(tx, 'also-rolled-back');
        steps.push('written');
        throw new Error('the budget ran out');
      } finally {
        steps.push('finally');
      }
    });
    await expect(failed).rejects.toThrow('the budget ran out');
    expect(steps).toEqual(['written', 'finally']);
    expect(await execute(store(), workerIds(store()))).toEqual(['tx-1', 'tx-2']);
  });

  it('throw a failed statement into the plan, where it can be caught outside a transaction', async () => {
    const outcome = await execute(
      store(),
      (function* () {
        try {
          yield* addWorker(store(), 'tx-1');
          return 'inserted';
        } catch {
          return 'already there';
        }
      })(),
    );
    expect(outcome).toBe('already there');
  });
});
