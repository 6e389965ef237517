import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { ServerFrame } from '../../src/lib/websocket/protocol';
import { apiClient } from '../helpers/api';
import { startAppServer } from '../helpers/appServer';
import { agentPids, pidsWithEnv } from '../helpers/processes';
import { setUpTestStack } from '../helpers/stack';
import { connectRecording, deliveredSeqs } from '../helpers/wsClient';

const stack = setUpTestStack({ beforeAll, afterAll });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const bash = (command: string) => ({ type: 'tool_use' as const, name: 'Bash', input: { command } });

/** Starts a run whose first turn prints output and whose second turn the model server holds open. */
async function startHeldRun(key: string): Promise<number> {
  stack.model.script(key, [
    { content: [bash('echo before-the-hold')], usage: { input_tokens: 900, output_tokens: 30 } },
    { kind: 'hang' },
  ]);
  const agent = await stack.api.createAgent({ defaultPrompt: `Work ${key}`, allowedTools: ['Bash'] });
  const id = await stack.api.startExecution(agent.id);
  for (let i = 0; i < 200 && stack.model.remaining(key) > 0; i++) await sleep(50);
  expect(stack.model.remaining(key)).toBe(0);
  return id;
}

const agentPidsOf = (executionId?: number) => agentPids(stack.app.databasePath, executionId);

describe('cancel', () => {
  it('stops a run held mid-turn within 3 s, keeps its steps and tokens, and leaves no process', async () => {
    const id = await startHeldRun('[script:cancel-api]');
    expect(agentPidsOf(id).length).toBeGreaterThan(0);

    const requestedAt = Date.now();
    const answer = await stack.api.call('POST', `/api/executions/${id}/cancel`);
    expect(answer.status).toBe(202);
    const execution = await stack.api.waitForEnd(id, 3_000);
    const latencyMs = Date.now() - requestedAt;

    expect(execution.status).toBe('cancelled');
    expect(execution.errorCode).toBe('cancelled');
    expect(latencyMs).toBeLessThan(3_000);
    expect(execution.inputTokens).toBe(900);
    const logs = await stack.api.call('GET', `/api/executions/${id}/logs`);
    expect(JSON.stringify(logs.body)).toContain('before-the-hold');
    expect(agentPidsOf(id)).toEqual([]);
    console.log(`cancel latency (API → cancelled): ${latencyMs} ms`);
  });

  it('is also a WebSocket command, answered at once', async () => {
    const id = await startHeldRun('[script:cancel-ws]');
    const socket = await connectRecording(stack.app.url);
    socket.send({ type: 'subscribe', topic: 'execution', executionId: id, afterSeq: 0 });
    socket.send({ type: 'cancel', executionId: id });
    await socket.waitFor(
      (f): f is Extract<ServerFrame, { type: 'cancel.accepted' }> => f.type === 'cancel.accepted',
    );
    await socket.waitFor(
      (f): f is Extract<ServerFrame, { type: 'execution.updated' }> =>
        f.type === 'execution.updated' && f.execution.status === 'cancelled',
      3_000,
    );
    socket.send({ type: 'cancel', executionId: id });
    const refused = await socket.waitFor(
      (f): f is Extract<ServerFrame, { type: 'error' }> => f.type === 'error',
    );
    expect(refused.code).toBe('not_active');
    await socket.close();
    expect(agentPidsOf(id)).toEqual([]);
  });

  it('answers 409 for a run that already ended and 404 for an unknown one', async () => {
    const key = '[script:cancel-late]';
    stack.model.script(key, [{ content: [{ type: 'text', text: 'done' }] }]);
    const agent = await stack.api.createAgent({ defaultPrompt: `Finish ${key}` });
    const id = await stack.api.startExecution(agent.id);
    await stack.api.waitForEnd(id);
    expect((await stack.api.call('POST', `/api/executions/${id}/cancel`)).status).toBe(409);
    expect((await stack.api.call('POST', '/api/executions/424242/cancel')).status).toBe(404);
    expect((await stack.api.getExecution(id)).status).toBe('completed');
  });
});

describe("an agent's limits", () => {
  it('ends a run that outlives its timeout as timeout, saying so, with no process left', async () => {
    const key = '[script:timeout]';
    stack.model.script(key, [
      { content: [bash('echo started')], usage: { input_tokens: 700, output_tokens: 25 } },
      { kind: 'hang' },
    ]);
    const agent = await stack.api.createAgent({
      defaultPrompt: `Take forever ${key}`,
      allowedTools: ['Bash'],
      timeoutSeconds: 10,
    });
    const id = await stack.api.startExecution(agent.id);
    const execution = await stack.api.waitForEnd(id, 20_000);

    expect(execution.status).toBe('timeout');
    expect(execution.errorCode).toBe('timeout');
    expect(execution.errorMessage).toBe('Stopped after the 10 s limit');
    expect(execution.durationMs).toBeGreaterThanOrEqual(10_000);
    expect(execution.inputTokens).toBe(700);
    expect(agentPidsOf(id)).toEqual([]);
  });

  it('ends a run that reaches its turn limit as failed (max_turns) without asking the model again', async () => {
    const key = '[script:max-turns]';
    stack.model.script(key, [{ content: [bash('echo again')] }], { repeatLast: true });
    const agent = await stack.api.createAgent({
      defaultPrompt: `Loop ${key}`,
      allowedTools: ['Bash'],
      maxTurns: 2,
    });
    const id = await stack.api.startExecution(agent.id);
    const execution = await stack.api.waitForEnd(id);

    expect(execution.status).toBe('failed');
    expect(execution.errorCode).toBe('max_turns');
    expect(execution.errorMessage).toBe('Reached the limit of 2 turns');
    expect(stack.model.requests.filter((request) => request.key === key)).toHaveLength(2);
    expect(agentPidsOf(id)).toEqual([]);
  });
});

describe('a server killed with SIGKILL mid-run', () => {
  it('comes back with the run interrupted, the orphan agent gone, and every line it had sent stored', async () => {
    const { model } = stack;
    const victim = await startAppServer({ modelServerUrl: model.url });
    onTestFinished(async () => {
      await victim.stop('SIGKILL');
    });
    const api = apiClient(victim.url);
    const key = '[script:sigkill]';
    model.script(key, [{ content: [bash('seq 1 300')] }, { kind: 'hang' }]);
    const agent = await api.createAgent({ defaultPrompt: `Count ${key}`, allowedTools: ['Bash'] });
    const socket = await connectRecording(victim.url);
    const id = await api.startExecution(agent.id);
    socket.send({ type: 'subscribe', topic: 'execution', executionId: id, afterSeq: 0 });
    await socket.waitFor(
      (f): f is Extract<ServerFrame, { type: 'execution.events' }> =>
        f.type === 'execution.events' && f.logs.some((l) => l.text === '300'),
    );
    const orphans = pidsWithEnv('CLAUDEOPS_INSTANCE', victim.databasePath);
    expect(orphans.length).toBeGreaterThan(0);

    await victim.stop('SIGKILL');
    const shown = deliveredSeqs(socket.frames, id);

    const restartedAt = Date.now();
    const again = await startAppServer({ modelServerUrl: model.url, dataDir: victim.dataDir });
    const recoveryMs = Date.now() - restartedAt;
    try {
      const execution = await apiClient(again.url).getExecution(id);
      expect(execution.status).toBe('interrupted');
      expect(execution.errorMessage).toMatch(/last activity at \d{4}-\d{2}-\d{2}T/);
      expect(pidsWithEnv('CLAUDEOPS_INSTANCE', victim.databasePath)).toEqual([]);

      const db = new Database(victim.databasePath, { readonly: true });
      const stored = (
        db
          .prepare(
            'select seq from execution_steps where execution_id = ? union select seq from execution_logs where execution_id = ?',
          )
          .all(id, id) as { seq: number }[]
      ).map((r) => r.seq);
      db.close();
      expect(shown.length).toBeGreaterThan(300);
      expect(shown.filter((seq) => !stored.includes(seq))).toEqual([]);
      console.log(
        `recovery: restart to listening in ${recoveryMs} ms, ${orphans.length} orphan process(es) killed`,
      );
    } finally {
      await socket.close();
      await again.stop();
    }
  });
});
