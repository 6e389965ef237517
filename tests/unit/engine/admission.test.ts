import { describe, expect, it } from 'vitest';
import {
  Admission,
  type Admittable,
  DRAINING_WAIT_REASON,
  type StartGate,
} from '../../../src/lib/engine/admission';

function gate(open = true) {
  const state = { open, started: 0 };
  const startGate: StartGate = {
    allowsStart: () => state.open,
    started: () => {
      state.started += 1;
    },
    msUntilHalfOpen: () => 60_000,
  };
  return { state, startGate };
}

const run = (
  executionId: number,
  agentId = 1,
  agentLimit = 1,
  requiredLabels: string[] = [],
): Admittable => ({ executionId, agentId, agentLimit, requiredLabels });

function admission(limit: number, startGate: StartGate, labels: string[] = []) {
  return new Admission<Admittable>({ labels, globalLimit: () => limit, gate: startGate, wake: () => {} });
}

describe('admission', () => {
  it('starts runs oldest first up to the global limit, and the rest wait with their places', () => {
    const { startGate } = gate();
    const queue = admission(2, startGate);
    for (const id of [3, 1, 2, 4]) queue.enqueue(run(id, id));
    const started: number[] = [];
    queue.pump((item) => started.push(item.executionId) > 0);
    expect(started).toEqual([1, 2]);
    expect([3, 4].map((id) => queue.position(id))).toEqual([1, 2]);
    queue.release(1);
    queue.pump((item) => started.push(item.executionId) > 0);
    expect(started).toEqual([1, 2, 3]);
  });

  it('does not let an agent at its own limit hold up the runs of others', () => {
    const { startGate } = gate();
    const queue = admission(5, startGate);
    queue.enqueue(run(1, 7));
    queue.enqueue(run(2, 7));
    queue.enqueue(run(3, 8));
    const started: number[] = [];
    queue.pump((item) => started.push(item.executionId) > 0);
    expect(started).toEqual([1, 3]);
    expect(queue.position(2)).toBe(1);
    expect(queue.runningCount(7)).toBe(1);
  });

  it('starts nothing once it drains, runs still queue, and each says why it waits (labels first)', () => {
    const { startGate } = gate();
    const queue = admission(5, startGate, ['repo-a']);
    queue.enqueue(run(1));
    queue.enqueue(run(2, 2, 1, ['gpu']));
    queue.drain();
    queue.enqueue(run(3, 3));
    const started: number[] = [];
    expect(queue.pump((item) => started.push(item.executionId) > 0)).toBe(false);
    expect(started).toEqual([]);
    expect([1, 2, 3].map((id) => queue.waitReason(id))).toEqual([
      DRAINING_WAIT_REASON,
      'waiting for a worker with labels gpu',
      DRAINING_WAIT_REASON,
    ]);
    // A run that gave its slot up to ask a person takes it back: it is not a new start.
    expect(queue.claim(run(4, 4))).toBe(true);
  });

  it('starts nothing while the gate is shut, and tells the gate about each start', () => {
    const { state, startGate } = gate(false);
    const queue = admission(2, startGate);
    queue.enqueue(run(1));
    const started: number[] = [];
    expect(queue.pump((item) => started.push(item.executionId) > 0)).toBe(false);
    expect(started).toEqual([]);
    state.open = true;
    queue.pump((item) => started.push(item.executionId) > 0);
    expect(started).toEqual([1]);
    expect(state.started).toBe(1);
    queue.stop();
  });

  it('a run ended instead of started takes no slot', () => {
    const { state, startGate } = gate();
    const queue = admission(1, startGate);
    queue.enqueue(run(1, 1));
    queue.enqueue(run(2, 2));
    const started: number[] = [];
    queue.pump((item) => (item.executionId === 1 ? false : started.push(item.executionId) > 0));
    expect(started).toEqual([2]);
    expect(queue.runningCount()).toBe(1);
    expect(state.started).toBe(1);
  });

  it('a withdrawn run leaves the queue and those behind move up', () => {
    const { startGate } = gate();
    const queue = admission(0, startGate);
    for (const id of [1, 2, 3]) queue.enqueue(run(id));
    expect(queue.withdraw(2)).toBe(true);
    expect(queue.withdraw(2)).toBe(false);
    expect(queue.position(3)).toBe(2);
  });

  it('starts a run only on a worker with every label its agent requires, the others passing it', () => {
    const { startGate } = gate();
    const queue = admission(5, startGate, ['repo-a']);
    queue.enqueue(run(1, 1, 1, ['gpu', 'repo-a']));
    queue.enqueue(run(2, 2, 1, ['repo-a']));
    queue.enqueue(run(3, 3, 1, []));
    const started: number[] = [];
    queue.pump((item) => started.push(item.executionId) > 0);
    expect(started).toEqual([2, 3]);
    expect(queue.position(1)).toBe(1);
    expect(queue.waitReason(1)).toBe('waiting for a worker with labels gpu, repo-a');
  });

  it('gives no wait reason to a run whose labels match, or one not waiting', () => {
    const { startGate } = gate();
    const queue = admission(0, startGate, ['gpu', 'repo-a']);
    queue.enqueue(run(1, 1, 1, ['gpu']));
    expect(queue.position(1)).toBe(1);
    expect(queue.waitReason(1)).toBeNull();
    expect(queue.waitReason(99)).toBeNull();
  });

  it('starts a held run once its requirement no longer asks for what the worker lacks', () => {
    const { startGate } = gate();
    const queue = admission(5, startGate, []);
    const held = run(1, 1, 1, ['gpu']);
    queue.enqueue(held);
    const started: number[] = [];
    queue.pump((item) => started.push(item.executionId) > 0);
    expect(started).toEqual([]);
    held.requiredLabels = [];
    expect(queue.waitReason(1)).toBeNull();
    queue.pump((item) => started.push(item.executionId) > 0);
    expect(started).toEqual([1]);
  });
});
