import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { ApiErrorObserver, classifyFailure } from '../../src/lib/claude/failures';

const sdk = (message: Record<string, unknown>) => message as unknown as SDKMessage;
const retry = (error: string, status: number | null) =>
  sdk({
    type: 'system',
    subtype: 'api_retry',
    attempt: 1,
    max_retries: 1,
    retry_delay_ms: 500,
    error_status: status,
    error,
  });
const synthetic = (error: string) =>
  sdk({ type: 'assistant', error, message: { id: 'x', model: '<synthetic>', content: [] } });
const apiErrorResult = (status: number | null) => ({
  type: 'result' as const,
  subtype: 'success' as const,
  is_error: true,
  result: 'API Error',
  terminal_reason: 'api_error' as const,
  api_error_status: status,
});

function classify(messages: SDKMessage[], result: unknown, thrown?: unknown) {
  const observer = new ApiErrorObserver();
  for (const message of messages) observer.observe(message);
  if (result) observer.observe(result as SDKMessage);
  return { failure: classifyFailure(result as never, thrown, observer), retries: observer.retries };
}

describe('classifying how a run ended', () => {
  it.each([
    ['429', [retry('rate_limit', 429), synthetic('rate_limit')], apiErrorResult(429), 'rate_limit', true],
    ['529', [retry('overloaded', 529), synthetic('server_error')], apiErrorResult(529), 'overloaded', true],
    [
      '500',
      [retry('server_error', 500), synthetic('server_error')],
      apiErrorResult(500),
      'server_error',
      true,
    ],
    [
      'a dropped connection',
      [retry('unknown', null), synthetic('server_error')],
      apiErrorResult(null),
      'network',
      true,
    ],
    ['401', [synthetic('authentication_failed')], apiErrorResult(401), 'auth', false],
    ['400', [synthetic('invalid_request')], apiErrorResult(400), 'invalid_request', false],
  ])('%s → %s (transient: %s)', (_case, messages, result, failureClass, transient) => {
    const { failure } = classify(messages, result);
    expect(failure?.failureClass).toBe(failureClass);
    expect(failure?.transient).toBe(transient);
  });

  it('counts the retries Claude Code made', () => {
    expect(classify([retry('rate_limit', 429), retry('rate_limit', 429)], apiErrorResult(429)).retries).toBe(
      2,
    );
  });

  it('tells max turns, an agent error and a crashed process apart, and success from all of them', () => {
    const base = { type: 'result', duration_ms: 1, num_turns: 1, is_error: true, errors: [] };
    expect(classify([], { ...base, subtype: 'error_max_turns' }).failure?.failureClass).toBe('max_turns');
    expect(
      classify([], { ...base, subtype: 'error_during_execution', errors: ['boom'] }).failure,
    ).toMatchObject({
      failureClass: 'agent_error',
      message: 'boom',
    });
    expect(classify([], undefined, new Error('exited with code 137')).failure).toMatchObject({
      failureClass: 'process_crash',
      message: 'exited with code 137',
    });
    expect(
      classify([], { type: 'result', subtype: 'success', is_error: false, result: 'ok' }).failure,
    ).toBeNull();
  });
});
