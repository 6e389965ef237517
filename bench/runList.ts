import assert from 'node:assert/strict';
import { desc } from 'drizzle-orm';
import type { DbHandle } from '../src/lib/db';
import { summarySelect, toSummary } from '../src/lib/db/queries/executions';
import { listExecutions } from '../src/lib/db/queries/runList';
import { indexNewRuns } from '../src/lib/db/queries/runSearchIndex';
import * as tables from '../src/lib/db/schema';
import { type Store, sqliteStore } from '../src/lib/db/store';
import { seededRandom } from '../tests/helpers/seededRandom';
import { createTestDb } from '../tests/helpers/testDb';
import { type BenchResult, timeIt, timeItAsync } from './measure';
import { sized } from './smoke';

const RUNS = sized(1_000_000, 5_000);
const AGENTS = 20;
const PAGE = 50;
const RUNS_PER_SAMPLE = 30;
const DAY_MS = 86_400_000;
const NOW = Date.UTC(2026, 11, 4, 12);
const SEED = 0x5eed;
const STATUSES = [
  'completed',
  'completed',
  'completed',
  'completed',
  'failed',
  'timeout',
  'cancelled',
] as const;
const VERBS = ['Check', 'Sweep', 'Rotate', 'Back up', 'Summarise', 'Audit', 'Prune', 'Report on'];
const THINGS = ['disk usage', 'the nginx logs', 'docker images', 'the journal', 'failed units', 'open ports'];
const HOSTS = Array.from({ length: 200 }, (_, i) => `host-${i}`);
/** A word in one prompt in ~40,000: what a search for a rare thing (an incident id) costs. */
const RARE_EVERY = 40_000;

/** A year of runs, ids in time order as in production, with prompts and results worth searching. */
function generate(handle: DbHandle): void {
  const random = seededRandom(SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const { sqlite } = handle;
  const insertAgent = sqlite.prepare(
    `insert into agent_configurations (id, name, model, default_prompt, created_at, updated_at) values (?, ?, 'm', 'p', 0, 0)`,
  );
  const insertRun = sqlite.prepare(
    `insert into executions (id, agent_id, trigger, status, prompt, model, created_at, started_at, finished_at,
       duration_ms, cost_micros, result_text, input_tokens, output_tokens)
     values (?, ?, ?, ?, ?, 'claude-sonnet-4-5', ?, ?, ?, ?, ?, ?, 1000, 100)`,
  );
  const start = NOW - 365 * DAY_MS;
  sqlite.transaction(() => {
    for (let id = 1; id <= AGENTS; id++) insertAgent.run(id, `agent-${id}`);
    for (let id = 1; id <= RUNS; id++) {
      const createdAt = Math.floor(start + ((id - 1 + random()) / RUNS) * 365 * DAY_MS);
      const duration = Math.floor(random() * random() * 600_000);
      const rare = id % RARE_EVERY === 0 ? ` incident INC${id}` : '';
      insertRun.run(
        id,
        1 + Math.floor(random() * AGENTS),
        random() < 0.7 ? 'schedule' : 'manual',
        pick(STATUSES),
        `${pick(VERBS)} ${pick(THINGS)} on ${pick(HOSTS)}${rare}`,
        createdAt,
        createdAt,
        createdAt + duration,
        duration,
        Math.floor(random() * random() * 2_000_000),
        `Done: ${pick(THINGS)} looked at, ${Math.floor(random() * 100)} items.`,
      );
    }
  })();
}

/** The same page read by OFFSET: what the page cost before keyset paging. */
function offsetPage(handle: DbHandle, offset: number) {
  return summarySelect(handle.db, tables)
    .orderBy(desc(tables.executions.id))
    .limit(PAGE)
    .offset(offset)
    .all()
    .map(toSummary);
}

/** The cursor of the page that starts `offset` rows in, by walking there once. */
async function cursorAt(store: Store, offset: number, sort: 'created' | 'cost'): Promise<string> {
  let cursor: string | undefined;
  const step = 100;
  for (let read = 0; read < offset; read += step) {
    const page = await listExecutions(store, { limit: step, sort, cursor }, NOW);
    assert.ok(page.nextCursor);
    cursor = page.nextCursor;
  }
  return cursor ?? '';
}

/**
 * The Runs page at a million runs: a page deep in the list by keyset (the cursor) against OFFSET,
 * sorted by cost, filtered, and searched, all on the same database in the same run.
 */
export async function benchRunList(): Promise<BenchResult[]> {
  const handle = createTestDb();
  const store = sqliteStore(handle.db);
  const seeded = performance.now();
  generate(handle);
  const indexing = performance.now();
  await indexNewRuns(store);
  handle.sqlite.exec('analyze');
  const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);
  console.log(
    `runList: ${RUNS.toLocaleString('en-US')} runs seeded in ${seconds(seeded)} s, of which one search-index batch of all of them ${seconds(indexing)} s`,
  );
  const deep = Math.floor(RUNS * 0.9);
  const deepCursor = await cursorAt(store, sized(deep, deep), 'created');
  const keysetDeep = () => listExecutions(store, { limit: PAGE, cursor: deepCursor }, NOW);
  assert.deepEqual(
    (await keysetDeep()).items.map((item) => item.id),
    offsetPage(handle, deep).map((item) => item.id),
  );

  const results: BenchResult[] = [];
  const offsetFirst = timeIt('runs: first page by OFFSET 0', RUNS_PER_SAMPLE, () => offsetPage(handle, 0));
  results.push(offsetFirst, {
    ...(await timeItAsync('runs: first page by keyset', RUNS_PER_SAMPLE, () =>
      listExecutions(store, { limit: PAGE }, NOW),
    )),
    baseline: offsetFirst,
  });
  const offsetDeep = timeIt(`runs: page at row ${deep.toLocaleString('en-US')} by OFFSET`, 5, () =>
    offsetPage(handle, deep),
  );
  results.push(offsetDeep, {
    ...(await timeItAsync(
      `runs: page at row ${deep.toLocaleString('en-US')} by keyset`,
      RUNS_PER_SAMPLE,
      keysetDeep,
    )),
    baseline: offsetDeep,
  });
  const costRow = sized(10_000, 1_000);
  const costCursor = await cursorAt(store, costRow, 'cost');
  results.push(
    await timeItAsync(
      `runs: by cost, page at row ${costRow.toLocaleString('en-US')} by keyset`,
      RUNS_PER_SAMPLE,
      () => listExecutions(store, { limit: PAGE, sort: 'cost', cursor: costCursor }, NOW),
    ),
    await timeItAsync('runs: failed, of one agent, last 30 days', RUNS_PER_SAMPLE, () =>
      listExecutions(store, { limit: PAGE, status: 'failed', agentId: 7, range: '30d' }, NOW),
    ),
  );
  const rare = `INC${RARE_EVERY * Math.max(1, Math.floor(RUNS / RARE_EVERY / 2))}`;
  const found = (await listExecutions(store, { limit: PAGE, q: rare }, NOW)).items;
  assert.equal(found.length, RUNS >= RARE_EVERY ? 1 : 0);
  results.push(
    await timeItAsync(`runs: search a rare word ("${rare}")`, RUNS_PER_SAMPLE, () =>
      listExecutions(store, { limit: PAGE, q: rare }, NOW),
    ),
    await timeItAsync('runs: search two common words ("nginx rotate"), first page', RUNS_PER_SAMPLE, () =>
      listExecutions(store, { limit: PAGE, q: 'nginx rotate' }, NOW),
    ),
    await timeItAsync('runs: search a common word, failed only, first page', RUNS_PER_SAMPLE, () =>
      listExecutions(store, { limit: PAGE, q: 'docker', status: 'failed' }, NOW),
    ),
  );
  handle.sqlite.close();
  return results;
}
