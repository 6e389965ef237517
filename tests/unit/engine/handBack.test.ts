import { describe, expect, it } from 'vitest';
import {
  attemptsCounted,
  handBackMove,
  handBackNotice,
  handedBackRecord,
} from '../../../src/lib/engine/handBack';
import { planRetry } from '../../../src/lib/engine/retries';
import { HANDED_BACK_MESSAGE, RUN_TRANSITIONS, type RunPhase } from '../../../src/lib/engine/runState';

describe('hand-back at the end of a drain', () => {
  it.each([
    ['running', 'stop'],
    ['stopping', 'stop'],
    ['awaiting', 'park'],
    ['queued', 'leave'],
    ['backoff', 'leave'],
    ['parking', 'none'],
    ['parked', 'none'],
    ['ended', 'none'],
    ['handed_back', 'none'],
  ] as const)('a %s run: %s', (phase, move) => {
    expect(handBackMove(phase)).toBe(move);
  });

  it('decides for every phase there is', () => {
    for (const phase of Object.keys(RUN_TRANSITIONS) as RunPhase[])
      expect(['stop', 'park', 'leave', 'none']).toContain(handBackMove(phase));
  });

  it('records the attempt and start point the next start runs', () => {
    const from = { kind: 'resume', sessionId: 's-1', fork: true, why: 'continue', prompt: null } as const;
    expect(handedBackRecord({ phase: 'handed_back', attempt: 3, from }, 500)).toEqual({
      at: 500,
      attempt: 3,
      from,
    });
    expect(() => handedBackRecord({ phase: 'queued', attempt: 1, from }, 500)).toThrow(/not handed back/);
  });

  it('says in the run log why the run is queued again', () => {
    expect(handBackNotice(true).log).toEqual({ level: 'warn', text: `[claudeops] ${HANDED_BACK_MESSAGE}` });
    expect(handBackNotice(true).step).toMatchObject({ kind: 'system', summary: HANDED_BACK_MESSAGE });
    expect(handBackNotice(false).step.summary).toMatch(
      /before this run started; it starts on the next start/,
    );
  });

  it('a handed-back attempt uses up none of the retries: attempt 2 after a hand-back is still the first try', () => {
    const transient = { status: 'failed', errorCode: 'overloaded', errorMessage: 'API overloaded' } as const;
    const budget = (attempt: number, handBacks: number) => ({
      attempt: attemptsCounted(attempt, handBacks),
      runRetries: 1,
      baseDelayMs: 1000,
    });
    expect(planRetry(transient, true, budget(2, 1), 0)).not.toBeNull();
    expect(planRetry(transient, true, budget(2, 0), 0)).toBeNull();
  });
});
