import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScriptedTurn } from '../helpers/scriptedModelServer';
import { setUpTestStack } from '../helpers/stack';

const stack = setUpTestStack({ beforeAll, afterAll });

// These runs fail transiently on purpose, one after another: keep the circuit breaker out of the way.
beforeAll(async () => {
  await stack.api.call('PATCH', '/api/settings', { circuitBreakerThreshold: 100 });
});

const error = (status: number, errorType: string, headers: Record<string, string> = {}): ScriptedTurn => ({
  kind: 'http_error',
  status,
  errorType,
  message: `scripted ${status}`,
  headers,
});

/**
 * Runs an agent whose API keeps failing the same way: Claude Code retries the call once
 * (apiMaxRetries 1) and the run is not retried as a whole (runRetries 0, see retries.test.ts).
 */
async function runAgainst(name: string, turns: ScriptedTurn[], repeatLast = true) {
  const key = `[script:err-${name}]`;
  stack.model.script(key, turns, { repeatLast });
  const agent = await stack.api.createAgent({ defaultPrompt: `Try ${key}`, apiMaxRetries: 1, runRetries: 0 });
  const id = await stack.api.startExecution(agent.id);
  const execution = await stack.api.waitForEnd(id, 45_000);
  const logs = JSON.stringify((await stack.api.call('GET', `/api/executions/${id}/logs`)).body);
  return { execution, logs };
}

describe('API failures end in a final, classified state with their retry count', () => {
  it.each([
    [
      '429 with retry-after',
      'rate_limit',
      1,
      'Rate limited (429)',
      [error(429, 'rate_limit_error', { 'retry-after': '1' })],
    ],
    ['500', 'server_error', 1, 'API server error (500)', [error(500, 'api_error')]],
    ['529 overloaded', 'overloaded', 1, 'API overloaded (529)', [error(529, 'overloaded_error')]],
    [
      'a connection dropped mid-stream',
      'network',
      1,
      'Connection to the API failed',
      [{ kind: 'drop_connection', afterEvents: 2 } as const],
    ],
  ] as const)('%s → failed (%s) after %i retry', async (name, failureClass, retries, cause, turns) => {
    const { execution, logs } = await runAgainst(name.replace(/\W+/g, '-'), [...turns]);
    expect(execution).toMatchObject({ status: 'failed', errorCode: failureClass, apiRetryCount: retries });
    // Each retry was visible live, as a step and a log line saying why.
    expect(logs).toContain(`[retry] ${cause}: retry 1/1 in `);
  });

  it('a malformed SSE stream → failed (network), after the one JSON retry Claude Code makes on its own', async () => {
    const { execution } = await runAgainst('malformed', [{ kind: 'malformed_sse' }]);
    expect(execution.status).toBe('failed');
    expect(execution.errorCode).toBe('network');
  });

  it('a rate limit that clears → completed, with the retry counted', async () => {
    const { execution, logs } = await runAgainst(
      'recovers',
      [
        error(429, 'rate_limit_error', { 'retry-after': '1' }),
        { content: [{ type: 'text', text: 'made it' }] },
      ],
      false,
    );
    expect(execution).toMatchObject({
      status: 'completed',
      resultText: 'made it',
      apiRetryCount: 1,
      errorCode: null,
    });
    expect(logs).toContain('[retry] Rate limited (429): retry 1/1 in ');
  });

  it('an invalid request is not retried → failed (invalid_request)', async () => {
    const { execution } = await runAgainst('invalid', [error(400, 'invalid_request_error')]);
    expect(execution).toMatchObject({ status: 'failed', errorCode: 'invalid_request', apiRetryCount: 0 });
  });
});
