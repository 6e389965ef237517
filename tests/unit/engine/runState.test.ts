import { describe, expect, it } from 'vitest';
import {
  IllegalTransitionError,
  RUN_TRANSITIONS,
  type RunInput,
  type RunPhase,
  type RunState,
  statusOf,
  transition,
} from '../../../src/lib/engine/runState';

const failed = { status: 'failed', errorCode: 'overloaded', errorMessage: 'API overloaded' } as const;
const completed = { status: 'completed', errorCode: null, errorMessage: null } as const;

const STATES: Record<RunPhase, RunState> = {
  queued: { phase: 'queued', attempt: 1 },
  running: { phase: 'running', attempt: 1, startedAt: 100 },
  stopping: { phase: 'stopping', attempt: 1, startedAt: 100, reason: 'cancelled', message: null },
  backoff: { phase: 'backoff', attempt: 2, retryAt: 500, failure: failed },
  ended: { phase: 'ended', attempt: 1, ending: completed },
};

const INPUTS: Record<RunInput['type'], RunInput> = {
  launch: { type: 'launch', at: 200 },
  stop: { type: 'stop', reason: 'cancelled', message: null },
  refuse: {
    type: 'refuse',
    ending: {
      status: 'budget_exceeded',
      errorCode: 'budget_exceeded',
      errorMessage: 'The global monthly budget ($5.00) is exhausted',
    },
  },
  attempt_ended: { type: 'attempt_ended', ending: completed, retryAt: null },
  retry_due: { type: 'retry_due' },
};

describe('run state transitions', () => {
  const cases = Object.entries(STATES).flatMap(([phase, state]) =>
    Object.entries(INPUTS).map(([type, input]) => ({ phase: phase as RunPhase, type, state, input })),
  );

  it.each(cases)('$phase + $type: legal exactly when the table lists it', ({ phase, state, input }) => {
    const allowed = RUN_TRANSITIONS[phase][input.type];
    if (allowed) expect(allowed).toContain(transition(state, input).phase);
    else expect(() => transition(state, input)).toThrow(IllegalTransitionError);
  });

  it('an ended run takes nothing at all', () => {
    expect(Object.keys(RUN_TRANSITIONS.ended)).toEqual([]);
  });

  it('launches a queued attempt, and a transient failure with a retry granted waits for the next attempt', () => {
    const running = transition(STATES.queued, { type: 'launch', at: 200 });
    expect(running).toEqual({ phase: 'running', attempt: 1, startedAt: 200 });
    const backoff = transition(running, { type: 'attempt_ended', ending: failed, retryAt: 900 });
    expect(backoff).toEqual({ phase: 'backoff', attempt: 2, retryAt: 900, failure: failed });
    expect(statusOf(backoff)).toBe('queued');
    expect(transition(backoff, { type: 'retry_due' })).toEqual({ phase: 'queued', attempt: 2 });
  });

  it('a run stopped while its process runs never retries, and keeps the first stop reason', () => {
    const stopping = transition(STATES.running, { type: 'stop', reason: 'budget', message: 'cap reached' });
    expect(stopping).toMatchObject({ phase: 'stopping', reason: 'budget' });
    expect(statusOf(stopping)).toBe('running');
    expect(transition(stopping, { type: 'stop', reason: 'cancelled', message: null })).toBe(stopping);
    const ended = transition(stopping, { type: 'attempt_ended', ending: failed, retryAt: 900 });
    expect(ended).toEqual({ phase: 'ended', attempt: 1, ending: failed });
  });

  it.each([
    ['cancelled', 'cancelled', 'cancelled', 'Cancelled by the user'],
    ['shutdown', 'cancelled', 'shutdown', 'The server shut down before the run started'],
    ['budget', 'budget_exceeded', 'budget_exceeded', 'over budget'],
    ['storage', 'failed', 'storage_error', 'over budget'],
  ] as const)(
    'a waiting run stopped for %s ends %s (%s) without a process',
    (reason, status, code, message) => {
      for (const waiting of [STATES.queued, STATES.backoff]) {
        const ended = transition(waiting, { type: 'stop', reason, message: 'over budget' });
        expect(ended).toMatchObject({
          phase: 'ended',
          ending: { status, errorCode: code, errorMessage: message },
        });
        expect(statusOf(ended)).toBe(status);
      }
    },
  );

  it('a queued run refused by a spent budget ends budget_exceeded, saying which', () => {
    const ended = transition(STATES.queued, INPUTS.refuse);
    expect(ended).toMatchObject({
      phase: 'ended',
      ending: { status: 'budget_exceeded', errorMessage: 'The global monthly budget ($5.00) is exhausted' },
    });
  });
});
