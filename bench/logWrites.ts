import { onSqlite, runOnSqlite } from '../src/lib/db/plan';
import { createAgent } from '../src/lib/db/queries/agents';
import { insertQueuedExecution } from '../src/lib/db/queries/executions';
import { sqliteOutputStore } from '../src/lib/db/queries/outputStore';
import { sqliteStore } from '../src/lib/db/store';
import { MAX_BATCH_ROWS, OutputWriter } from '../src/lib/engine/outputWriter';
import { SecretMasker } from '../src/lib/security/secrets';
import { createTestDb } from '../tests/helpers/testDb';
import { type BenchResult, timeIt } from './measure';
import { sized } from './smoke';
import { percentile } from './stats';

const LINES = sized(20_000, 500);
const TEXT = (seq: number) => `line ${seq} of a fairly ordinary tool output`;

/**
 * Ingestion: the output writer (masking, sequence numbers, group commit) against raw batched
 * better-sqlite3 inserts into the same table (the ceiling), and against one transaction per line
 * (the naive design).
 */
export function benchLogWrites(): BenchResult[] {
  const handle = createTestDb();
  const agent = runOnSqlite(
    createAgent(sqliteStore(handle.db), { name: 'bench', model: 'claude-sonnet-4-5', defaultPrompt: 'p' }),
  );
  const newExecution = () =>
    onSqlite(handle.db, (store) =>
      insertQueuedExecution(store, {
        agentId: agent.id,
        prompt: 'p',
        model: agent.model,
        trigger: 'manual',
      }),
    );
  // Masking is part of the real write path: one secret to look for, as with an API key set.
  const masker = new SecretMasker(['sk-ant-bench-0123456789abcdef']);

  const insert = handle.sqlite.prepare(
    'insert into execution_logs (execution_id, seq, level, text, created_at) values (?, ?, ?, ?, ?)',
  );
  const advance = handle.sqlite.prepare('update executions set last_seq = ? where id = ?');
  const naiveLine = handle.sqlite.transaction((id: number, seq: number) => {
    insert.run(id, seq, 'info', TEXT(seq), Date.now());
    advance.run(seq, id);
  });
  const rawBatch = handle.sqlite.transaction((id: number, from: number, to: number) => {
    for (let seq = from; seq <= to; seq++) insert.run(id, seq, 'info', TEXT(seq), Date.now());
    advance.run(to, id);
  });

  const naive = timeIt(`${LINES} log lines, one transaction per line (naive)`, 3, () => {
    const id = newExecution();
    for (let seq = 1; seq <= LINES; seq++) naiveLine(id, seq);
  });
  const writer = new OutputWriter(
    sqliteOutputStore(handle.sqlite),
    masker,
    () => {},
    (error) => {
      throw error;
    },
  );
  const raw: BenchResult = { name: `${LINES} log lines, raw batched inserts (the ceiling)`, samplesMs: [] };
  const ours: BenchResult = { name: `${LINES} log lines, the output writer (group commit)`, samplesMs: [] };
  // Interleaved, so both write into a table of the same size and meet the same WAL checkpoints.
  for (let round = 0; round < 7; round++) {
    raw.samplesMs.push(
      ...timeIt(raw.name, 1, () => {
        const id = newExecution();
        for (let from = 1; from <= LINES; from += MAX_BATCH_ROWS)
          rawBatch(id, from, from + MAX_BATCH_ROWS - 1);
      }).samplesMs,
    );
    ours.samplesMs.push(
      ...timeIt(ours.name, 1, () => {
        const output = writer.open(newExecution(), 0);
        for (let seq = 1; seq <= LINES; seq++) output.addLog({ level: 'info', text: TEXT(seq) });
        output.flush();
      }).samplesMs,
    );
  }
  handle.sqlite.close();
  const share = percentile(raw.samplesMs, 50) / percentile(ours.samplesMs, 50);
  console.log(`Output writer throughput: ${(share * 100).toFixed(0)}% of raw batched inserts (target ≥ 70%)`);
  return [naive, raw, { ...ours, baseline: naive }];
}
