import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CircuitBreakerDto } from '../../src/lib/contracts/system';
import type { ServerFrame } from '../../src/lib/websocket/protocol';
import { BEARER } from '../helpers/appServer';
import { agentPids } from '../helpers/processes';
import type { ScriptedTurn } from '../helpers/scriptedModelServer';
import { setUpTestStack } from '../helpers/stack';
import { committedSeqs } from '../helpers/storedOutput';
import { connectRecording } from '../helpers/wsClient';

const stack = setUpTestStack({ beforeAll, afterAll });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const serverError: ScriptedTurn = {
  kind: 'http_error',
  status: 500,
  errorType: 'api_error',
  message: 'boom',
};
const text = (value: string, inputTokens = 100): ScriptedTurn => ({
  content: [{ type: 'text', text: value }],
  usage: { input_tokens: inputTokens, output_tokens: 10 },
});

/** An agent whose failed API calls are not retried by Claude Code itself, so each attempt fails at once. */
function createRetryingAgent(key: string, runRetries: number) {
  return stack.api.createAgent({
    defaultPrompt: `Work ${key}`,
    allowedTools: ['Bash'],
    apiMaxRetries: 0,
    runRetries,
    runRetryDelaySeconds: 1,
  });
}

async function circuit(): Promise<CircuitBreakerDto> {
  const { body } = await stack.api.call('GET', '/api/system');
  return (body as { circuitBreaker: CircuitBreakerDto }).circuitBreaker;
}

describe('whole-run retries', () => {
  beforeAll(async () => {
    await stack.api.call('PATCH', '/api/settings', { circuitBreakerThreshold: 100 });
  });

  it('retries a transient failure as attempt 2 of the same execution, keeping its log and usage', async () => {
    const key = '[script:retry-then-ok]';
    stack.model.script(key, [
      {
        content: [{ type: 'tool_use', name: 'Bash', input: { command: 'echo first-attempt' } }],
        usage: { input_tokens: 300, output_tokens: 20 },
      },
      serverError,
      text('second attempt made it', 200),
    ]);
    const agent = await createRetryingAgent(key, 2);
    const id = await stack.api.startExecution(agent.id);

    const execution = await stack.api.waitForEnd(id);

    expect(execution).toMatchObject({
      status: 'completed',
      attempt: 2,
      resultText: 'second attempt made it',
      errorCode: null,
      nextAttemptAt: null,
    });
    // Usage of both attempts: 300 from the first one's turn, 200 from the second's.
    expect(execution.inputTokens).toBe(500);
    expect(execution.attempts.map((a) => [a.attempt, a.status, a.errorCode])).toEqual([
      [1, 'failed', 'server_error'],
      [2, 'completed', null],
    ]);
    const [first] = execution.attempts;
    // Base 1 s for the first retry, with jitter between half and all of it.
    expect(first?.retryDelayMs).toBeGreaterThanOrEqual(500);
    expect(first?.retryDelayMs).toBeLessThanOrEqual(1_000);
    const logs = JSON.stringify((await stack.api.call('GET', `/api/executions/${id}/logs`)).body);
    expect(logs).toContain('first-attempt');
    expect(logs).toMatch(/\[retry\] Attempt 1 of 3 failed \(server_error\); attempt 2 in \d\.\d s/);
    // One sequence for the whole execution: no gap, no duplicate across attempts.
    const seqs = committedSeqs(stack.app.databasePath, id);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  });

  it('gives up after the agent’s run retries, with every attempt recorded', async () => {
    const key = '[script:retry-exhausted]';
    stack.model.script(key, [serverError], { repeatLast: true });
    const agent = await createRetryingAgent(key, 1);
    const id = await stack.api.startExecution(agent.id);

    const execution = await stack.api.waitForEnd(id);

    expect(execution).toMatchObject({ status: 'failed', errorCode: 'server_error', attempt: 2 });
    expect(execution.attempts.map((a) => a.status)).toEqual(['failed', 'failed']);
    expect(execution.attempts.map((a) => a.retryDelayMs === null)).toEqual([false, true]);
  });

  it('does not retry a permanent failure', async () => {
    const key = '[script:retry-permanent]';
    stack.model.script(
      key,
      [{ kind: 'http_error', status: 400, errorType: 'invalid_request_error', message: 'bad' }],
      { repeatLast: true },
    );
    const agent = await createRetryingAgent(key, 3);
    const execution = await stack.api.waitForEnd(await stack.api.startExecution(agent.id));

    expect(execution).toMatchObject({ status: 'failed', errorCode: 'invalid_request', attempt: 1 });
    expect(execution.attempts).toHaveLength(1);
  });

  it('can be cancelled while waiting for its next attempt; no attempt starts after that', async () => {
    const key = '[script:retry-cancelled]';
    stack.model.script(key, [serverError, text('should never be served')]);
    const agent = await stack.api.createAgent({
      defaultPrompt: `Work ${key}`,
      apiMaxRetries: 0,
      runRetries: 2,
      runRetryDelaySeconds: 30,
    });
    const id = await stack.api.startExecution(agent.id);
    // However long attempt 1 takes to fail on a loaded machine: what is checked is its outcome.
    const waiting = await vi.waitFor(
      async () => {
        const execution = await stack.api.getExecution(id);
        expect(execution.nextAttemptAt).not.toBeNull();
        return execution;
      },
      { timeout: 45_000, interval: 50 },
    );
    // Attempt 1 failed and is kept as the reason; attempt 2 is due at nextAttemptAt.
    expect(waiting).toMatchObject({ status: 'queued', attempt: 1, errorCode: 'server_error' });
    expect(waiting.nextAttemptAt).toBeGreaterThan(Date.now());

    expect((await stack.api.call('POST', `/api/executions/${id}/cancel`)).status).toBe(202);
    const execution = await stack.api.waitForEnd(id, 3_000);

    expect(execution).toMatchObject({ status: 'cancelled', errorCode: 'cancelled', nextAttemptAt: null });
    expect(stack.model.remaining(key)).toBe(1);
    expect(agentPids(stack.app.databasePath, id)).toEqual([]);
  });
});

describe('circuit breaker', () => {
  it('opens after repeated transient failures, holds new runs queued, and closes after a healthy trial', async () => {
    // Earlier tests left failures on the count (a run cancelled in backoff neither counts nor resets):
    // two more failures must open it.
    const threshold = (await circuit()).consecutiveFailures + 2;
    await stack.api.call('PATCH', '/api/settings', {
      circuitBreakerThreshold: threshold,
      circuitBreakerCooldownSeconds: 3,
    });
    expect(await circuit()).toMatchObject({ state: 'closed', threshold });
    const socket = await connectRecording(stack.app.url);
    socket.send({ type: 'subscribe', topic: 'executions' });
    const circuitFrame = (state: CircuitBreakerDto['state']) =>
      socket.waitFor(
        (f): f is Extract<ServerFrame, { type: 'circuit.updated' }> =>
          f.type === 'circuit.updated' && f.circuit.state === state,
        15_000,
      );
    await circuitFrame('closed');

    for (const name of ['a', 'b']) {
      const key = `[script:breaker-fail-${name}]`;
      stack.model.script(key, [serverError], { repeatLast: true });
      const agent = await createRetryingAgent(key, 0);
      const failed = await stack.api.waitForEnd(await stack.api.startExecution(agent.id));
      expect(failed.errorCode).toBe('server_error');
    }
    const opened = await circuitFrame('open');
    expect(opened.circuit).toMatchObject({ consecutiveFailures: threshold, lastFailure: 'server_error' });
    expect(await circuit()).toMatchObject({ state: 'open' });
    const page = await fetch(`${stack.app.url}/`, { headers: BEARER });
    expect(await page.text()).toContain('data-state="open"');

    // A new run waits queued while the circuit is open: its model turn is not requested.
    const key = '[script:breaker-trial]';
    stack.model.script(key, [text('healthy again')]);
    const agent = await createRetryingAgent(key, 0);
    const id = await stack.api.startExecution(agent.id);
    await sleep(1_000);
    expect((await stack.api.getExecution(id)).status).toBe('queued');
    expect(stack.model.remaining(key)).toBe(1);

    // After the cool-down it half-opens, lets this run through as the trial, and closes.
    await circuitFrame('half_open');
    const execution = await stack.api.waitForEnd(id);
    expect(execution.status).toBe('completed');
    expect(await circuit()).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    // The dashboard saw every transition live, in order.
    const states = socket.frames.flatMap((f) => (f.type === 'circuit.updated' ? [f.circuit.state] : []));
    expect(states.filter((state, i) => state !== states[i - 1])).toEqual([
      'closed',
      'open',
      'half_open',
      'closed',
    ]);
    await socket.close();
  });
});
