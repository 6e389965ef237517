import { describe, expect, it } from 'vitest';
import { oneAtATime } from '../../src/lib/core/oneAtATime';

/** A task whose runs each wait until the test lets them finish, recording what each saw. */
function controlledTask() {
  let state = 0;
  const seen: number[] = [];
  const handled: number[] = [];
  const finishers: (() => void)[] = [];
  const task = async () => {
    const read = state; // what the run read when it began
    seen.push(read);
    await new Promise<void>((resolve) => finishers.push(resolve));
    handled.push(read);
  };
  /** Lets the oldest waiting run finish, and lets its promise chain settle. */
  const finishOne = async () => {
    finishers.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { task, seen, handled, finishOne, setState: (value: number) => (state = value) };
}

describe('oneAtATime', () => {
  it('never runs twice at once: requests during a run fold into one more run, which reads the latest state', async () => {
    const { task, seen, handled, finishOne, setState } = controlledTask();
    const request = oneAtATime(task, (err) => {
      throw err;
    });
    setState(1);
    request();
    setState(2);
    request();
    setState(3);
    request();
    expect(seen).toEqual([1]); // the others wait for the first run
    await finishOne();
    expect(seen).toEqual([1, 3]); // one more run, which reads after the last request
    await finishOne();
    expect(handled).toEqual([1, 3]); // handled in the order read: no stale result after a newer one
    request();
    expect(seen).toEqual([1, 3, 3]); // idle again: a request runs at once
    await finishOne();
  });

  it('goes on after a failed run, handing the failure to onError', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const request = oneAtATime(
      async () => {
        runs += 1;
        if (runs === 1) throw new Error('database is locked');
      },
      (err) => errors.push(err),
    );
    request();
    await new Promise((resolve) => setImmediate(resolve));
    request();
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toBe(2);
    expect(errors).toEqual([new Error('database is locked')]);
  });
});
