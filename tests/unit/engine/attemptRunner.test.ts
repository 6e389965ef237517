import type { SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { ApiErrorObserver } from '../../../src/lib/claude/failures';
import { classifyEnding } from '../../../src/lib/engine/attemptRunner';

const agent = { maxTurns: 4, timeoutSeconds: 90 };

function result(subtype: SDKResultMessage['subtype'], extra: Record<string, unknown> = {}): SDKResultMessage {
  return {
    type: 'result',
    subtype,
    is_error: subtype !== 'success',
    num_turns: 1,
    result: 'done',
    errors: [],
    ...extra,
  } as unknown as SDKResultMessage;
}

describe('how an attempt ended', () => {
  it('is completed when the agent answered', () => {
    expect(classifyEnding(result('success'), undefined, undefined, agent, new ApiErrorObserver())).toEqual({
      status: 'completed',
      errorCode: null,
      errorMessage: null,
    });
  });

  it('is the stop reason when the attempt was stopped from outside, whatever the process said', () => {
    const thrown = new Error('Claude Code process aborted by user');
    const cases = [
      [{ reason: 'timeout', message: null }, 'timeout', 'timeout', 'Stopped after the 90 s limit'],
      [{ reason: 'cancelled', message: null }, 'cancelled', 'cancelled', 'Cancelled by the user'],
      [{ reason: 'shutdown', message: null }, 'cancelled', 'shutdown', 'The server shut down during the run'],
      [
        { reason: 'budget', message: 'Reached the per-run cap' },
        'budget_exceeded',
        'budget_exceeded',
        'Reached the per-run cap',
      ],
    ] as const;
    for (const [stop, status, errorCode, errorMessage] of cases) {
      expect(classifyEnding(undefined, thrown, stop, agent, new ApiErrorObserver())).toEqual({
        status,
        errorCode,
        errorMessage,
      });
    }
  });

  it('is budget_exceeded when the SDK’s own maxBudgetUsd stopped it', () => {
    expect(
      classifyEnding(result('error_max_budget_usd'), undefined, undefined, agent, new ApiErrorObserver()),
    ).toMatchObject({
      status: 'budget_exceeded',
      errorMessage: 'Claude Code stopped the run at its maxBudgetUsd limit',
    });
  });

  it('names the turn limit, and a crash without a result', () => {
    expect(
      classifyEnding(result('error_max_turns'), undefined, undefined, agent, new ApiErrorObserver()),
    ).toEqual({
      status: 'failed',
      errorCode: 'max_turns',
      errorMessage: 'Reached the limit of 4 turns',
    });
    expect(
      classifyEnding(undefined, new Error('exit 139'), undefined, agent, new ApiErrorObserver()),
    ).toEqual({
      status: 'failed',
      errorCode: 'process_crash',
      errorMessage: 'exit 139',
    });
  });
});
