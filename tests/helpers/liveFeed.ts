// The live feed's tests on both implementations (tests/unit/liveInProcess.test.ts on SQLite and the
// engine's bus, tests/postgres/liveAcross.test.ts across processes on Postgres): how a writer streams
// a run's output, and how a follower's deliveries are collected and checked against the store.
import { asc, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import type { ExecutionStatus } from '../../src/lib/contracts/executions';
import type { Store } from '../../src/lib/db/store';
import { type EventStreamSource, executionEventStream } from '../../src/lib/http/executionEventStream';
import type { RunFeed, RunFollow } from '../../src/lib/live/runFeed';
import { readStream, type SseReading } from './sseClient';

/** A follower that records what it is handed, and lets a test wait for a sequence number. */
export function collect(feed: RunFeed, executionId: number, afterSeq: number) {
  const items: { seq: number; text: string }[] = [];
  const statuses: { status: ExecutionStatus; afterItems: number }[] = [];
  const errors: unknown[] = [];
  const waiters = new Set<() => void>();
  const follow: RunFollow = feed.follow(executionId, afterSeq, {
    onItems: ({ steps, logs }) => {
      // A batch holds its steps and its lines in two lists; shown, they interleave by sequence.
      const batch = [
        ...steps.map((step) => ({ seq: step.seq, text: step.summary })),
        ...logs.map((line) => ({ seq: line.seq, text: line.text })),
      ];
      items.push(...batch.sort((a, b) => a.seq - b.seq));
      for (const check of waiters) check();
    },
    onStatus: (status) => {
      statuses.push({ status, afterItems: items.length });
      for (const check of waiters) check();
    },
    onError: (error) => {
      errors.push(error);
      for (const check of waiters) check();
    },
  });
  /** Resolves once `done()` holds, checked after every delivery and error. */
  const until = (done: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!done()) return;
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });
  return { items, statuses, errors, follow, until };
}

/** Every step and line of the run stored after `afterSeq`, as a follower should have them. */
export async function storedItemsAfter({ db, t }: Store, executionId: number, afterSeq: number) {
  const logs = await db
    .select({ seq: t.executionLogs.seq, text: t.executionLogs.text })
    .from(t.executionLogs)
    .where(eq(t.executionLogs.executionId, executionId))
    .orderBy(asc(t.executionLogs.seq));
  const steps = await db
    .select({ seq: t.executionSteps.seq, text: t.executionSteps.summary })
    .from(t.executionSteps)
    .where(eq(t.executionSteps.executionId, executionId))
    .orderBy(asc(t.executionSteps.seq));
  return [...steps, ...logs].filter((item) => item.seq > afterSeq).sort((a, b) => a.seq - b.seq);
}

/** Delivered: every stored item after `afterSeq`, each once, in sequence order, none missing. */
export function expectEachOnceInOrder(
  delivered: readonly { seq: number; text: string }[],
  stored: readonly { seq: number; text: string }[],
): void {
  const seqs = delivered.map((item) => item.seq);
  expect(new Set(seqs).size).toBe(seqs.length);
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  expect(delivered).toEqual(stored);
}

/**
 * Once the run's ending is published: the follower was handed every stored item after `afterSeq`
 * (more than `atLeast`) once, in order, its status as stored when it caught up, then the ending
 * after every line.
 */
export async function expectFollowedToTheEnd(
  follower: ReturnType<typeof collect>,
  store: Store,
  executionId: number,
  afterSeq: number,
  atLeast: number,
): Promise<void> {
  await follower.until(() => follower.statuses.some(({ status }) => status === 'completed'));
  follower.follow.close();
  expect(follower.errors).toEqual([]);
  const stored = await storedItemsAfter(store, executionId, afterSeq);
  expect(stored.length).toBeGreaterThan(atLeast);
  expectEachOnceInOrder(follower.items, stored);
  expect(follower.statuses).toEqual([
    { status: 'running', afterItems: expect.any(Number) },
    { status: 'completed', afterItems: follower.items.length },
  ]);
}

/**
 * A run's Server-Sent Events read until the server closed the stream: every stored item after
 * `afterSeq` (more than `atLeast`) once, in order, and last its ending, whose `id` is the last item's.
 */
export async function expectStreamedToTheEnd(
  reading: Pick<SseReading, 'events' | 'closedByServer'>,
  store: Store,
  executionId: number,
  afterSeq: number,
  atLeast: number,
): Promise<void> {
  expect(reading.closedByServer).toBe(true);
  const items = reading.events
    .filter((event) => event.event !== 'status')
    .map(({ id, event, data }) => ({
      seq: id,
      text: event === 'step' ? (data as { summary: string }).summary : (data as { text: string }).text,
    }));
  const stored = await storedItemsAfter(store, executionId, afterSeq);
  expect(stored.length).toBeGreaterThan(atLeast);
  expectEachOnceInOrder(items, stored);
  expect(reading.events.at(-1)).toEqual({
    id: stored.at(-1)?.seq,
    event: 'status',
    data: expect.objectContaining({ id: executionId, status: 'completed' }),
  });
}

/** An ended run's stream resumed from its last id (a reconnect's Last-Event-ID): only the ending, then it closes. */
export async function expectOnlyTheEnding(
  source: EventStreamSource,
  executionId: number,
  lastSeq: number,
): Promise<void> {
  expect(await readStream(await executionEventStream(source, executionId, lastSeq))).toEqual({
    events: [
      {
        id: lastSeq,
        event: 'status',
        data: expect.objectContaining({ id: executionId, status: 'completed' }),
      },
    ],
    closedByServer: true,
  });
}

/** A run that does not exist is refused as not found before any stream starts (the route's 404). */
export async function expectUnknownRunRefused(source: EventStreamSource): Promise<void> {
  await expect(executionEventStream(source, 999_999, 0)).rejects.toMatchObject({
    kind: 'not_found',
    message: 'Execution not found',
  });
}
