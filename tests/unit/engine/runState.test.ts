import { describe, expect, it } from 'vitest';
import {
  IllegalTransitionError,
  RUN_TRANSITIONS,
  type RunInput,
  type RunPhase,
  type RunState,
  type StartPoint,
  statusOf,
  transition,
} from '../../../src/lib/engine/runState';

const failed = { status: 'failed', errorCode: 'overloaded', errorMessage: 'API overloaded' } as const;
const completed = { status: 'completed', errorCode: null, errorMessage: null } as const;

const fresh: StartPoint = { kind: 'prompt' };
const resumed: StartPoint = {
  kind: 'resume',
  sessionId: 'sess-1',
  fork: false,
  why: 'approval',
  prompt: 'A person approved your Bash call',
};

const STATES: Record<RunPhase, RunState> = {
  queued: { phase: 'queued', attempt: 1, from: fresh },
  running: { phase: 'running', attempt: 1, startedAt: 100, from: fresh },
  awaiting: { phase: 'awaiting', attempt: 1, startedAt: 100, from: fresh, approvalId: 7 },
  parking: { phase: 'parking', attempt: 1, startedAt: 100, approvalId: 7 },
  parked: { phase: 'parked', attempt: 1, approvalId: 7 },
  stopping: {
    phase: 'stopping',
    attempt: 1,
    startedAt: 100,
    reason: 'cancelled',
    message: null,
    from: fresh,
  },
  backoff: { phase: 'backoff', attempt: 2, retryAt: 500, failure: failed, from: fresh },
  ended: { phase: 'ended', attempt: 1, ending: completed },
  handed_back: { phase: 'handed_back', attempt: 2, from: fresh },
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
  approval_requested: { type: 'approval_requested', approvalId: 7 },
  approval_answered: { type: 'approval_answered' },
  park: { type: 'park' },
  hand_back: { type: 'hand_back' },
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

  it('an ended run takes nothing at all, and neither does a parked one (it lives on in the database)', () => {
    expect(Object.keys(RUN_TRANSITIONS.ended)).toEqual([]);
    expect(Object.keys(RUN_TRANSITIONS.parked)).toEqual([]);
    expect(Object.keys(RUN_TRANSITIONS.handed_back)).toEqual([]);
  });

  it('a run handed back mid-attempt is queued for the next attempt, from the same start; a cancel stopping it first wins', () => {
    const running: RunState = { phase: 'running', attempt: 2, startedAt: 100, from: resumed };
    const stopping = transition(running, { type: 'stop', reason: 'handback', message: null });
    expect(statusOf(stopping)).toBe('running');
    const handedBack = transition(stopping, { type: 'attempt_ended', ending: completed, retryAt: null });
    expect(handedBack).toEqual({ phase: 'handed_back', attempt: 3, from: resumed });
    expect(statusOf(handedBack)).toBe('queued');

    const cancelled = transition(running, { type: 'stop', reason: 'cancelled', message: null });
    const stillCancelled = transition(cancelled, { type: 'stop', reason: 'handback', message: null });
    expect(
      transition(stillCancelled, { type: 'attempt_ended', ending: failed, retryAt: null }),
    ).toMatchObject({
      phase: 'ended',
    });
  });

  it('a run without a process is handed back for the attempt it waits for; one parking for a person is not handed back', () => {
    expect(transition(STATES.queued, { type: 'hand_back' })).toEqual({
      phase: 'handed_back',
      attempt: 1,
      from: fresh,
    });
    expect(transition(STATES.backoff, { type: 'hand_back' })).toEqual({
      phase: 'handed_back',
      attempt: 2,
      from: fresh,
    });
    const stopping = transition(STATES.parking, { type: 'stop', reason: 'handback', message: null });
    expect(transition(stopping, { type: 'attempt_ended', ending: failed, retryAt: null })).toMatchObject({
      phase: 'ended',
    });
  });

  it('launches a queued attempt, and a transient failure with a retry granted waits for the next attempt', () => {
    const running = transition(STATES.queued, { type: 'launch', at: 200 });
    expect(running).toEqual({ phase: 'running', attempt: 1, startedAt: 200, from: fresh });
    const backoff = transition(running, { type: 'attempt_ended', ending: failed, retryAt: 900 });
    expect(backoff).toEqual({ phase: 'backoff', attempt: 2, retryAt: 900, failure: failed, from: fresh });
    expect(statusOf(backoff)).toBe('queued');
    expect(transition(backoff, { type: 'retry_due' })).toEqual({ phase: 'queued', attempt: 2, from: fresh });
  });

  it('a run stopped while its process runs never retries, and keeps the first stop reason', () => {
    const stopping = transition(STATES.running, { type: 'stop', reason: 'budget', message: 'cap reached' });
    expect(stopping).toMatchObject({ phase: 'stopping', reason: 'budget' });
    expect(statusOf(stopping)).toBe('running');
    expect(transition(stopping, { type: 'stop', reason: 'cancelled', message: null })).toBe(stopping);
    const ended = transition(stopping, { type: 'attempt_ended', ending: failed, retryAt: 900 });
    expect(ended).toEqual({ phase: 'ended', attempt: 1, ending: failed });
  });

  it('a call answered within the hold goes back to running; the status meanwhile is awaiting_approval', () => {
    const awaiting = transition(STATES.running, { type: 'approval_requested', approvalId: 7 });
    expect(awaiting).toEqual({ phase: 'awaiting', attempt: 1, startedAt: 100, from: fresh, approvalId: 7 });
    expect(statusOf(awaiting)).toBe('awaiting_approval');
    expect(transition(awaiting, { type: 'approval_answered' })).toEqual(STATES.running);
  });

  it('a call not answered within the hold parks the run: its process ends, and it waits without one', () => {
    const parking = transition(STATES.awaiting, { type: 'park' });
    expect(parking).toEqual({ phase: 'parking', attempt: 1, startedAt: 100, approvalId: 7 });
    expect(statusOf(parking)).toBe('awaiting_approval');
    // However the interrupted attempt ended, it ends parked: never retried, never finished.
    const parked = transition(parking, { type: 'attempt_ended', ending: failed, retryAt: 900 });
    expect(parked).toEqual({ phase: 'parked', attempt: 1, approvalId: 7 });
    expect(statusOf(parked)).toBe('awaiting_approval');
  });

  it('a run stopped while it waits for a person (cancelled, or its approval timed out to fail) stops its process', () => {
    const stopping = transition(STATES.awaiting, {
      type: 'stop',
      reason: 'approval_timeout',
      message: 'Nobody answered within 60 minutes',
    });
    expect(stopping).toMatchObject({ phase: 'stopping', reason: 'approval_timeout' });
    expect(transition(STATES.parking, { type: 'stop', reason: 'cancelled', message: null })).toMatchObject({
      phase: 'stopping',
      reason: 'cancelled',
    });
  });

  it('a continued run, or one woken by an answer, starts by resuming its session; so does its retry', () => {
    const queued: RunState = { phase: 'queued', attempt: 1, from: resumed };
    expect(statusOf(queued)).toBe('queued');
    const running = transition(queued, { type: 'launch', at: 300 });
    expect(running).toEqual({ phase: 'running', attempt: 1, startedAt: 300, from: resumed });
    const backoff = transition(running, { type: 'attempt_ended', ending: failed, retryAt: 900 });
    const retried = transition(backoff, { type: 'retry_due' });
    expect(retried).toEqual({ phase: 'queued', attempt: 2, from: resumed });
  });

  it('a queued run whose approval timed out to fail ends failed without a process', () => {
    const ended = transition(
      { phase: 'queued', attempt: 1, from: resumed },
      { type: 'stop', reason: 'approval_timeout', message: 'Nobody answered within 5 minutes' },
    );
    expect(ended).toEqual({
      phase: 'ended',
      attempt: 1,
      ending: {
        status: 'failed',
        errorCode: 'approval_timeout',
        errorMessage: 'Nobody answered within 5 minutes',
      },
    });
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
