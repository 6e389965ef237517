import { describe, expect, it } from 'vitest';
import {
  type HandlerEvent,
  maxConcurrentPerKey,
  ranTwiceAtOnce,
  runIntervals,
  startsPerId,
} from '../../bench/jobIntervals';

const event = (type: HandlerEvent['type'], id: string, at: number, pid = 1, key = 'a'): HandlerEvent => ({
  type,
  id,
  key,
  pid,
  at,
});

describe('the job-queue bench reading its handlers’ reports', () => {
  it('pairs each start with the end of the same job in the same process, whatever order they arrived in', () => {
    const intervals = runIntervals([
      event('end', 'j1', 30, 2),
      event('start', 'j1', 10, 1),
      event('start', 'j1', 20, 2),
      event('end', 'j1', 15, 1),
    ]);
    expect(intervals.map(({ pid, start, end }) => ({ pid, start, end }))).toEqual([
      { pid: 1, start: 10, end: 15 },
      { pid: 2, start: 20, end: 30 },
    ]);
  });

  it('ends a run without an end where its process was killed, and leaves it open otherwise', () => {
    const intervals = runIntervals(
      [event('start', 'j1', 10, 7), event('start', 'j2', 12, 8)],
      new Map([[7, 40]]),
    );
    expect(intervals.map((i) => i.end)).toEqual([40, Infinity]);
  });

  it('counts the most runs of one key at once across processes; one ending as another starts is not two', () => {
    const intervals = runIntervals([
      event('start', 'a1', 0, 1, 'a'),
      event('start', 'a2', 5, 2, 'a'),
      event('end', 'a1', 10, 1, 'a'),
      event('end', 'a2', 20, 2, 'a'),
      event('start', 'b1', 0, 1, 'b'),
      event('end', 'b1', 10, 1, 'b'),
      event('start', 'b2', 10, 2, 'b'),
      event('end', 'b2', 20, 2, 'b'),
    ]);
    expect(maxConcurrentPerKey(intervals)).toEqual(
      new Map([
        ['a', 2],
        ['b', 1],
      ]),
    );
  });

  it('finds a job that ran twice at once, including a run that outlived its killed twin only on paper', () => {
    const retriedAfterDeath = [event('start', 'dead', 0, 1), event('start', 'dead', 50, 2)];
    expect(ranTwiceAtOnce(runIntervals(retriedAfterDeath, new Map([[1, 40]])))).toEqual([]);
    expect(ranTwiceAtOnce(runIntervals(retriedAfterDeath, new Map([[1, 60]])))).toEqual(['dead']);
    const overrun = [event('start', 'o', 0, 1), event('start', 'o', 20, 1), event('end', 'o', 30, 1)];
    expect(ranTwiceAtOnce(runIntervals(overrun))).toEqual(['o']);
  });

  it('counts starts per job, for fires per schedule slot', () => {
    const fires = startsPerId([
      event('start', 'tick:1', 0),
      event('end', 'tick:1', 1),
      event('start', 'tick:1', 2, 2),
      event('start', 'tick:2', 3),
    ]);
    expect(fires).toEqual(
      new Map([
        ['tick:1', 2],
        ['tick:2', 1],
      ]),
    );
  });
});
