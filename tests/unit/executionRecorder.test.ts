import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/lib/db';
import { createAgent } from '../../src/lib/db/queries/agents';
import {
  getExecutionLogs,
  getExecutionSteps,
  getExecutionSummary,
  insertQueuedExecution,
} from '../../src/lib/db/queries/executions';
import { SecretMasker } from '../../src/lib/security/secrets';
import { ExecutionEventBus, type ExecutionEventsMessage } from '../../src/lib/services/executionEvents';
import { ExecutionRecorder } from '../../src/lib/services/executionRecorder';
import { createTestDb } from '../helpers/testDb';

const SECRET = 'sk-ant-unit-0123456789abcdef';
const masker = new SecretMasker([SECRET]);
let handle: DbHandle;
let executionId: number;

beforeEach(() => {
  handle = createTestDb();
  const agent = createAgent(handle.db, { name: 'a', model: 'claude-sonnet-4-5', defaultPrompt: 'p' });
  executionId = insertQueuedExecution(handle.db, {
    agentId: agent.id,
    prompt: 'p',
    model: 'claude-sonnet-4-5',
    trigger: 'manual',
  });
});

afterEach(() => handle.sqlite.close());

function recordingBus() {
  const bus = new ExecutionEventBus();
  const published: ExecutionEventsMessage[] = [];
  const committedAtPublish: number[] = [];
  bus.subscribe({
    onEvents: (message) => {
      published.push(message);
      // What a browser would be sent must already be in the database.
      committedAtPublish.push(getExecutionLogs(handle.db, executionId).length);
    },
    onUpdated: () => {},
    onCircuit: () => {},
  });
  return { bus, published, committedAtPublish };
}

describe('ExecutionRecorder', () => {
  it('numbers steps and lines from one sequence and publishes only what is committed', () => {
    const { bus, published, committedAtPublish } = recordingBus();
    const recorder = new ExecutionRecorder(handle.sqlite, bus, executionId, 0, masker);
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
    expect(getExecutionSteps(handle.db, executionId).map((s) => [s.seq, s.payload])).toEqual([[1, { a: 1 }]]);
    expect(getExecutionLogs(handle.db, executionId).map((l) => [l.seq, l.text])).toEqual([
      [2, 'one'],
      [3, 'two'],
    ]);
    expect(getExecutionSummary(handle.db, executionId)?.lastSeq).toBe(3);
  });

  it('batches a flood of lines into a few transactions and frames', () => {
    const { bus, published } = recordingBus();
    const recorder = new ExecutionRecorder(handle.sqlite, bus, executionId, 0, masker);
    for (let i = 1; i <= 2_500; i++) recorder.addLog({ level: 'info', text: `line ${i}` });
    recorder.flush();
    expect(published.map((p) => p.logs.length)).toEqual([1_000, 1_000, 500]);
    expect(getExecutionLogs(handle.db, executionId)).toHaveLength(2_500);
  });

  it('flushes on its own within the batching interval', async () => {
    const { bus, published } = recordingBus();
    const recorder = new ExecutionRecorder(handle.sqlite, bus, executionId, 0, masker);
    recorder.addLog({ level: 'info', text: 'soon' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(published).toHaveLength(1);
  });

  it('masks known secrets before anything is stored or published', () => {
    const { bus, published } = recordingBus();
    const recorder = new ExecutionRecorder(handle.sqlite, bus, executionId, 0, masker);
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
