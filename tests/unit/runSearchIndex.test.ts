import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/lib/db';
import { onSqlite, runOnSqlite } from '../../src/lib/db/plan';
import { createAgent } from '../../src/lib/db/queries/agents';
import { insertQueuedExecution } from '../../src/lib/db/queries/executions';
import { listExecutions } from '../../src/lib/db/queries/runList';
import { indexNewRuns } from '../../src/lib/db/queries/runSearchIndex';
import { executions } from '../../src/lib/db/schema';
import { sqliteStore } from '../../src/lib/db/store';
import { createTestDb } from '../helpers/testDb';

let handle: DbHandle;
let agentId: number;

beforeEach(() => {
  handle = createTestDb();
  agentId = runOnSqlite(
    createAgent(sqliteStore(handle.db), { name: 'ops', model: 'claude-sonnet-4-5', defaultPrompt: 'p' }),
  ).id;
});
afterEach(() => handle.sqlite.close());

const addRun = (prompt: string) =>
  onSqlite(handle.db, (store) =>
    insertQueuedExecution(store, { agentId, trigger: 'manual', prompt, model: 'claude-sonnet-4-5' }),
  );

const search = async (q: string) =>
  (await listExecutions(sqliteStore(handle.db), { limit: 50, q })).items.map((run) => run.id);

/** FTS5's own check of an external-content index against its table: throws when they disagree. */
const checkIndex = () =>
  handle.sqlite.exec(`insert into executions_fts (executions_fts, rank) values ('integrity-check', 1)`);

describe('the Runs search index, filled in batches (SQLite: FTS5; both dialects in tests/dialects/runSearchIndex.test.ts)', () => {
  it('finds a run created since the last batch: a search indexes new runs first', async () => {
    const id = addRun('Rotate the nginx logs');
    expect(await search('nginx')).toEqual([id]);
    checkIndex();
  });

  it('takes a result written before its batch as it is then, and one written after it through the trigger', async () => {
    const early = addRun('Summarise the backups');
    handle.db
      .update(executions)
      .set({ resultText: 'all eleven snapshots verified' })
      .where(eq(executions.id, early))
      .run();
    await indexNewRuns(sqliteStore(handle.db));
    const late = addRun('Summarise the certificates');
    await indexNewRuns(sqliteStore(handle.db));
    handle.db
      .update(executions)
      .set({ resultText: 'two expire in december' })
      .where(eq(executions.id, late))
      .run();
    expect(await search('snapshots')).toEqual([early]);
    expect(await search('december')).toEqual([late]);
    checkIndex();
  });

  it('deletes runs indexed or not without harming the index', async () => {
    const indexed = addRun('Prune the docker images');
    await indexNewRuns(sqliteStore(handle.db));
    const pending = addRun('Prune the docker volumes');
    handle.db.delete(executions).where(eq(executions.id, pending)).run();
    checkIndex();
    expect(await search('docker')).toEqual([indexed]);
    handle.db.delete(executions).where(eq(executions.id, indexed)).run();
    expect(await search('docker')).toEqual([]);
    checkIndex();
  });

  it('answers a search on a full database from the index as it is, saying how many new runs it misses', async () => {
    const indexed = addRun('Restart the nginx workers');
    await indexNewRuns(sqliteStore(handle.db));
    // Enough distinct words that indexing them needs new pages.
    const words = (tag: string) => Array.from({ length: 2_000 }, (_, i) => `${tag}${i}`).join(' ');
    addRun(`Reload the nginx config ${words('conf')}`);
    addRun(`Tail the nginx error log ${words('line')}`);
    // A real SQLITE_FULL: the file may not grow past the pages it has, and has none free.
    handle.sqlite.pragma('incremental_vacuum');
    const pages = handle.sqlite.pragma('page_count', { simple: true }) as number;
    handle.sqlite.pragma(`max_page_count = ${pages}`);
    await expect(indexNewRuns(sqliteStore(handle.db))).rejects.toMatchObject({ code: 'SQLITE_FULL' });

    const page = await listExecutions(sqliteStore(handle.db), { limit: 50, q: 'nginx' });
    expect(page.items.map((run) => run.id)).toEqual([indexed]);
    expect(page.unindexedRuns).toBe(2);

    handle.sqlite.pragma('max_page_count = 1073741823');
    expect(await listExecutions(sqliteStore(handle.db), { limit: 50, q: 'nginx' })).not.toHaveProperty(
      'unindexedRuns',
    );
    expect(await search('nginx')).toHaveLength(3);
    checkIndex();
  });
});
