import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import type { DbHandle } from '../../src/lib/db';
import { onSqlite, runOnSqlite } from '../../src/lib/db/plan';
import { createAgent } from '../../src/lib/db/queries/agents';
import {
  getExecutionLogs,
  getExecutionSteps,
  getExecutionSummary,
  insertQueuedExecution,
} from '../../src/lib/db/queries/executions';
import { sqliteOutputStore } from '../../src/lib/db/queries/outputStore';
import { sqliteStore } from '../../src/lib/db/store';
import { type CommittedOutput, OutputWriter } from '../../src/lib/engine/outputWriter';
import { SecretMasker } from '../../src/lib/security/secrets';
import { createTestDb } from '../helpers/testDb';

const SECRET = 'sk-ant-unit-0123456789abcdef';
const masker = new SecretMasker([SECRET]);
let handle: DbHandle;
let executionId: number;

beforeEach(() => {
  handle = createTestDb();
  const agent = runOnSqlite(
    createAgent(sqliteStore(handle.db), { name: 'a', model: 'claude-sonnet-4-5', defaultPrompt: 'p' }),
  );
  executionId = onSqlite(handle.db, (store) =>
    insertQueuedExecution(store, {
      agentId: agent.id,
      prompt: 'p',
      model: 'claude-sonnet-4-5',
      trigger: 'manual',
    }),
  );
});

afterEach(() => handle.sqlite.close());

function recordingWriter() {
  const published: CommittedOutput[] = [];
  const committedAtPublish: number[] = [];
  const writer = new OutputWriter(
    sqliteOutputStore(handle.sqlite),
    masker,
    (outputs) => {
      for (const output of outputs) {
        published.push(output);
        // What a browser would be sent must already be in the database.
        committedAtPublish.push(onSqlite(handle.db, (store) => getExecutionLogs(store, executionId)).length);
      }
    },
    (error) => {
      throw error;
    },
  );
  return { recorder: writer.open(executionId, 0), published, committedAtPublish };
}

describe('OutputWriter', () => {
  it('numbers steps and lines from one sequence and publishes only what is committed', () => {
    const { recorder, published, committedAtPublish } = recordingWriter();
    recorder.addStep({
      kind: 'system',
      summary: 's',
      toolName: null,
      toolUseId: null,
      isError: false,
      payload: { a: 1 },
    });
    recorder.addLog({ level: 'info', text: 'one' });
    recorder.addLog({ level: 'warn', text: 'two' });
    expect(published).toHaveLength(0);
    recorder.flush();

    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ executionId, seq: 3 });
    expect(committedAtPublish).toEqual([2]);
    expect(
      onSqlite(handle.db, (store) => getExecutionSteps(store, executionId)).map((s) => [s.seq, s.payload]),
    ).toEqual([[1, { a: 1 }]]);
    expect(
      onSqlite(handle.db, (store) => getExecutionLogs(store, executionId)).map((l) => [l.seq, l.text]),
    ).toEqual([
      [2, 'one'],
      [3, 'two'],
    ]);
    expect(onSqlite(handle.db, (store) => getExecutionSummary(store, executionId))?.lastSeq).toBe(3);
  });

  it('batches a flood of lines into a few transactions and frames', () => {
    const { recorder, published } = recordingWriter();
    for (let i = 1; i <= 2_500; i++) recorder.addLog({ level: 'info', text: `line ${i}` });
    recorder.flush();
    expect(published.map((p) => p.logs.length)).toEqual([1_000, 1_000, 500]);
    expect(onSqlite(handle.db, (store) => getExecutionLogs(store, executionId))).toHaveLength(2_500);
  });

  it('flushes on its own as soon as the event loop comes round', async () => {
    const { recorder, published } = recordingWriter();
    recorder.addLog({ level: 'info', text: 'soon' });
    recorder.addLog({ level: 'info', text: 'and this, in the same turn' });
    expect(published).toHaveLength(0);
    // Group commit: written once the loop comes round, both lines in one transaction, no fixed timer.
    await new Promise((resolve) => setImmediate(resolve));
    expect(published).toHaveLength(1);
    expect(published[0]?.logs.map((l) => l.text)).toEqual(['soon', 'and this, in the same turn']);
  });

  it('masks known secrets before anything is stored or published', () => {
    const { recorder, published } = recordingWriter();
    recorder.addStep({
      kind: 'tool_result',
      summary: `key ${SECRET}`,
      toolName: 'Bash',
      toolUseId: 't',
      isError: false,
      payload: { output: `ANTHROPIC_API_KEY=${SECRET}` },
    });
    recorder.addLog({ level: 'info', text: `ANTHROPIC_API_KEY=${SECRET}` });
    recorder.flush();
    const raw = handle.sqlite
      .prepare(
        'select (select group_concat(summary || payload) from execution_steps) || (select group_concat(text) from execution_logs) as everything',
      )
      .get() as { everything: string };
    expect(raw.everything).not.toContain(SECRET);
    expect(raw.everything).toContain('ANTHROPIC_API_KEY=[REDACTED]');
    expect(JSON.stringify(published)).not.toContain(SECRET);
  });
});

describe('OutputWriter across runs', () => {
  it('commits every run that has output in one transaction per turn, each published with its own seq', async () => {
    const agent = runOnSqlite(
      createAgent(sqliteStore(handle.db), { name: 'b', model: 'claude-sonnet-4-5', defaultPrompt: 'p' }),
    );
    const otherId = onSqlite(handle.db, (store) =>
      insertQueuedExecution(store, {
        agentId: agent.id,
        prompt: 'p',
        model: 'claude-sonnet-4-5',
        trigger: 'manual',
      }),
    );
    const published: CommittedOutput[][] = [];
    const writer = new OutputWriter(
      sqliteOutputStore(handle.sqlite),
      masker,
      (outputs) => published.push(outputs),
      (error) => {
        throw error;
      },
    );
    const first = writer.open(executionId, 0);
    const second = writer.open(otherId, 0);
    first.addLog({ level: 'info', text: 'a1' });
    second.addLog({ level: 'info', text: 'b1' });
    second.addLog({ level: 'info', text: 'b2' });
    second.setProgress({
      inputTokens: 10,
      outputTokens: 5,
      cacheCreationTokens: 0,
      cacheReadTokens: 0,
      numTurns: 1,
      apiRetryCount: 0,
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(published).toHaveLength(1);
    expect(published[0]?.map((o) => [o.executionId, o.seq, o.logs.length])).toEqual([
      [executionId, 1, 1],
      [otherId, 2, 2],
    ]);
    expect(onSqlite(handle.db, (store) => getExecutionSummary(store, otherId))).toMatchObject({
      lastSeq: 2,
      inputTokens: 10,
      numTurns: 1,
    });
  });
});

describe('OutputWriter when a commit fails', () => {
  it('reports the error instead of throwing on its own turn, and publishes nothing of it', async () => {
    // A connection SQLite refuses every write on: a real failed commit.
    const readOnly = new Database(handle.path, { readonly: true });
    onTestFinished(() => {
      readOnly.close();
    });
    const failures: { code: unknown; executionIds: number[] }[] = [];
    const published: CommittedOutput[] = [];
    const writer = new OutputWriter(
      sqliteOutputStore(readOnly),
      masker,
      (outputs) => published.push(...outputs),
      (error, executionIds) => failures.push({ code: (error as { code?: unknown }).code, executionIds }),
    );
    const output = writer.open(executionId, 0);
    output.addLog({ level: 'info', text: 'lost' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(failures).toEqual([{ code: 'SQLITE_READONLY', executionIds: [executionId] }]);
    expect(published).toEqual([]);
    expect(onSqlite(handle.db, (store) => getExecutionLogs(store, executionId))).toEqual([]);
  });
});

describe('the log cap', () => {
  it('stores lines up to the cap, then one marker, and at the end how many lines it left out', () => {
    const published: CommittedOutput[] = [];
    const writer = new OutputWriter(
      sqliteOutputStore(handle.sqlite),
      masker,
      (outputs) => published.push(...outputs),
      (error) => {
        throw error;
      },
    );
    const output = writer.open(executionId, 0, 100);
    for (let i = 0; i < 10; i++) output.addLog({ level: 'info', text: `${i}`.padEnd(30, '.') });
    output.closeTruncation();
    output.flush();
    expect(
      onSqlite(handle.db, (store) => getExecutionLogs(store, executionId)).map((line) => line.text),
    ).toEqual([
      '0'.padEnd(30, '.'),
      '1'.padEnd(30, '.'),
      '2'.padEnd(30, '.'),
      "[truncated] This run's log reached its cap of 100 B: further lines are counted, not stored (the run goes on)",
      '[truncated] 7 more lines (210 B) were not stored',
    ]);
  });
});
