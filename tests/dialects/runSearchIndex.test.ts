import { expect, it } from 'vitest';
import { listExecutions } from '../../src/lib/db/queries/runList';
import { countUnindexedRuns, indexNewRuns } from '../../src/lib/db/queries/runSearchIndex';
import { describeOnEachDialect, insertAgent, insertRun } from '../helpers/stores';

// The Runs search index's catch-up on both dialects. SQLite's FTS5 index takes the runs created
// since its last batch, each once; Postgres' GIN index follows every write, so there is never
// anything to index or left unindexed. Either way a new run is found by the next search.

describeOnEachDialect('the Runs search index', (store) => {
  const search = async (q: string) =>
    (await listExecutions(store(), { limit: 50, q })).items.map((run) => run.id).sort((a, b) => a - b);

  it('indexes each new run once however often it is called, and none is left unindexed', async () => {
    const agentId = await insertAgent(store(), 'indexer');
    const created = [
      await insertRun(store(), agentId, { prompt: 'Check the disks' }),
      await insertRun(store(), agentId, { prompt: 'Check the load' }),
    ];
    // Only SQLite's index waits for a batch; Postgres' already holds both runs.
    const waiting = store().dialect === 'sqlite' ? 2 : 0;
    expect(await countUnindexedRuns(store())).toBe(waiting);
    expect(await indexNewRuns(store())).toBe(waiting);
    expect(await indexNewRuns(store())).toBe(0);
    expect(await countUnindexedRuns(store())).toBe(0);
    expect(await search('check')).toEqual(created);
  });

  it('finds a run created since the last catch-up: a search catches up first', async () => {
    const agentId = await insertAgent(store(), 'searcher');
    await indexNewRuns(store());
    const id = await insertRun(store(), agentId, { prompt: 'Rotate the nginx logs' });
    const page = await listExecutions(store(), { limit: 50, q: 'nginx' });
    expect(page.items.map((run) => run.id)).toEqual([id]);
    expect(page).not.toHaveProperty('unindexedRuns');
    expect(await countUnindexedRuns(store())).toBe(0);
  });
});
