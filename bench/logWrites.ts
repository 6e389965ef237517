import { createAgent } from '../src/lib/db/queries/agents';
import { insertQueuedExecution } from '../src/lib/db/queries/executions';
import { OutputWriter } from '../src/lib/engine/outputWriter';
import { SecretMasker } from '../src/lib/security/secrets';
import { createTestDb } from '../tests/helpers/testDb';
import { type BenchResult, timeIt } from './measure';

const LINES = 20_000;

/** The output writer's group commit against the naive design: one transaction (and fsync point) per line. */
export function benchLogWrites(): BenchResult[] {
  const handle = createTestDb();
  const agent = createAgent(handle.db, { name: 'bench', model: 'claude-sonnet-4-5', defaultPrompt: 'p' });
  const newExecution = () =>
    insertQueuedExecution(handle.db, {
      agentId: agent.id,
      prompt: 'p',
      model: agent.model,
      trigger: 'manual',
    });
  // Masking is part of the real write path: one secret to look for, as with an API key set.
  const masker = new SecretMasker(['sk-ant-bench-0123456789abcdef']);

  const naiveInsert = handle.sqlite.prepare(
    'insert into execution_logs (execution_id, seq, level, text, created_at) values (?, ?, ?, ?, ?)',
  );
  const naiveAdvance = handle.sqlite.prepare('update executions set last_seq = ? where id = ?');
  const naiveLine = handle.sqlite.transaction((id: number, seq: number) => {
    naiveInsert.run(id, seq, 'info', `line ${seq} of a fairly ordinary tool output`, Date.now());
    naiveAdvance.run(seq, id);
  });

  const naive = timeIt(`${LINES} log lines, one transaction per line (naive)`, 3, () => {
    const id = newExecution();
    for (let seq = 1; seq <= LINES; seq++) naiveLine(id, seq);
  });
  const writer = new OutputWriter(handle.sqlite, masker, () => {});
  const batched = timeIt(`${LINES} log lines, group-commit writer`, 3, () => {
    const recorder = writer.open(newExecution(), 0);
    for (let seq = 1; seq <= LINES; seq++) {
      recorder.addLog({ level: 'info', text: `line ${seq} of a fairly ordinary tool output` });
    }
    recorder.flush();
  });
  handle.sqlite.close();
  return [naive, { ...batched, baseline: naive }];
}
