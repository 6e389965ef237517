import { mostAtOnce } from '../tests/helpers/intervals';

// What the job-queue bench's handlers reported, read back: which job ran where and when, how many
// ran at once per key, whether one job ever ran twice at once. Pure, so it is unit tested.

/** A handler's report: it started or ended job `id` (of `key`) in process `pid` at `at` (epoch ms). */
export interface HandlerEvent {
  type: 'start' | 'end';
  id: string;
  key: string;
  pid: number;
  at: number;
}

export interface RunInterval {
  id: string;
  key: string;
  pid: number;
  start: number;
  /** Its end, or when its process was killed, or Infinity while it still runs. */
  end: number;
}

/**
 * Pairs each start with the next end of the same job in the same process. A start with no end ran
 * until its process died (`killedAt`, by pid) or is still running.
 */
export function runIntervals(
  events: readonly HandlerEvent[],
  killedAt: ReadonlyMap<number, number> = new Map(),
): RunInterval[] {
  const open = new Map<string, RunInterval[]>();
  const intervals: RunInterval[] = [];
  for (const event of [...events].sort((a, b) => a.at - b.at)) {
    const slot = `${event.pid}\u0000${event.id}`;
    if (event.type === 'start') {
      const interval = { id: event.id, key: event.key, pid: event.pid, start: event.at, end: Infinity };
      intervals.push(interval);
      open.set(slot, [...(open.get(slot) ?? []), interval]);
    } else {
      const interval = open.get(slot)?.shift();
      if (interval) interval.end = event.at;
    }
  }
  for (const interval of intervals)
    if (interval.end === Infinity) interval.end = killedAt.get(interval.pid) ?? Infinity;
  return intervals;
}

function groupBy(intervals: readonly RunInterval[], by: (i: RunInterval) => string) {
  const groups = new Map<string, RunInterval[]>();
  for (const interval of intervals) groups.set(by(interval), [...(groups.get(by(interval)) ?? []), interval]);
  return groups;
}

/** Per key, the most of its jobs that ran at once, whichever processes ran them. */
export function maxConcurrentPerKey(intervals: readonly RunInterval[]): Map<string, number> {
  return new Map([...groupBy(intervals, (i) => i.key)].map(([key, group]) => [key, mostAtOnce(group)]));
}

/** The jobs that ran twice at the same time (in two processes, or twice in one). */
export function ranTwiceAtOnce(intervals: readonly RunInterval[]): string[] {
  return [...groupBy(intervals, (i) => i.id)].filter(([, group]) => mostAtOnce(group) > 1).map(([id]) => id);
}

/** How many times each job started: for slot jobs, fires per slot. */
export function startsPerId(events: readonly HandlerEvent[]): Map<string, number> {
  const starts = new Map<string, number>();
  for (const event of events)
    if (event.type === 'start') starts.set(event.id, (starts.get(event.id) ?? 0) + 1);
  return starts;
}
