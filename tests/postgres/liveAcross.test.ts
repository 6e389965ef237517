import { eq } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseLinkDto } from '../../src/lib/contracts/storage';
import { transaction } from '../../src/lib/db/plan';
import { openPostgres } from '../../src/lib/db/postgres';
import { PostgresListener } from '../../src/lib/db/postgresListener';
import type { Store } from '../../src/lib/db/store';
import { executionEventStream } from '../../src/lib/http/executionEventStream';
import { requestStop } from '../../src/lib/live/control';
import { PostgresLive } from '../../src/lib/live/postgresLive';
import { runFeed } from '../../src/lib/live/runFeed';
import { createChannel } from '../../src/lib/notifications/channels';
import { recordEventIn, recordEventOn } from '../../src/lib/notifications/events';
import { eventually } from '../helpers/approvals';
import {
  collect,
  expectEachOnceInOrder,
  expectFollowedToTheEnd,
  expectOnlyTheEnding,
  expectStreamedToTheEnd,
  expectUnknownRunRefused,
  storedItemsAfter,
} from '../helpers/liveFeed';
import { forkLiveWriter, type WriterProcess } from '../helpers/liveWriter';
import type { FromWriter } from '../helpers/liveWriterProcess';
import { everythingChannel, newBox, runFailed } from '../helpers/notifications';
import { type PostgresCluster, startPostgres } from '../helpers/postgres';
import { readStream } from '../helpers/sseClient';
import { insertAgent, insertRun } from '../helpers/stores';
import { startTcpProxy } from '../helpers/tcpProxy';

// Live output and stops across processes on Postgres: a worker process (tests/helpers/
// liveWriterProcess.ts, its own pool and LISTEN connection) writes runs' output through the real
// output writer and Postgres output store, announced with NOTIFY; this process follows the runs
// through its own pool and LISTEN connection. docs/scaling.md#live-logs-and-stops-across-processes.

const WORKER_ID = 'worker-b';
const quiet = { info: () => {}, warn: () => {} };
const now = () => performance.timeOrigin + performance.now();

/** What an administrator's `pg_terminate_backend` does to a connection (or a failover to all of them). */
async function terminateBackend(url: string, pid: number | undefined): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ done: boolean }>('select pg_terminate_backend($1) as done', [pid]);
    expect(rows[0]?.done).toBe(true);
  } finally {
    await client.end();
  }
}

describe('live output and stops across processes (postgres)', () => {
  let cluster: PostgresCluster;
  let store: Store;
  let closeStore: () => Promise<void>;
  let live: PostgresLive;
  let writer: WriterProcess;
  let agentId: number;
  let url: string;

  beforeAll(async () => {
    cluster = await startPostgres();
    url = await cluster.createDatabase('live_across');
    ({ store, close: closeStore } = await openPostgres(url, { maxConnections: 4 }));
    agentId = await insertAgent(store, 'live');
    live = new PostgresLive(url, quiet);
    writer = await forkLiveWriter(url, WORKER_ID);
    await live.whenListening();
  });

  afterAll(async () => {
    await writer?.exit();
    await live?.close();
    await closeStore?.();
    await cluster?.stop();
  });

  it('hands a follower resuming mid-stream every line after its seq once, in order, while lines keep committing, then the ending', async () => {
    const runId = await insertRun(store, agentId);
    const firstEnd = await writer.stream(runId, 0, 3_000, 'first');
    // More than one read's worth behind (2,000 lines), so the catch-up overlaps the new commits.
    const afterSeq = Math.floor(firstEnd / 3);
    const follower = collect(runFeed(store, live), runId, afterSeq);
    const lastSeq = await writer.stream(runId, firstEnd, 4_000, 'second');
    await follower.until(() => follower.follow.deliveredSeq >= lastSeq);
    writer.send({ type: 'end', executionId: runId, status: 'completed' });
    await expectFollowedToTheEnd(follower, store, runId, afterSeq, 4_000);
  });

  describe('as Server-Sent Events', () => {
    // This process does not run these runs: every status event's view is read from the store.
    const source = () => ({ feed: runFeed(store, live), store, liveView: () => undefined });

    it('streams a run another process writes: every line once, in order, then the ending, and closes; resumed from its last id, only the ending comes', async () => {
      const runId = await insertRun(store, agentId);
      const firstEnd = await writer.stream(runId, 0, 1_500, 'first');
      const afterSeq = Math.floor(firstEnd / 3);
      const reading = readStream(await executionEventStream(source(), runId, afterSeq));
      const lastSeq = await writer.stream(runId, firstEnd, 2_000, 'second');
      writer.send({ type: 'end', executionId: runId, status: 'completed' });
      await expectStreamedToTheEnd(await reading, store, runId, afterSeq, 2_000);
      await expectOnlyTheEnding(source(), runId, lastSeq);
    });

    it('refuses a run that does not exist as not found, before any stream', async () => {
      await expectUnknownRunRefused(source());
    });
  });

  it('loses nothing when its LISTEN connection is killed mid-stream: it reconnects and reads again', async () => {
    // Its own connection, slow to come back: the second half is committed while nobody listens.
    const reconnecting = new PostgresLive(url, quiet, { backoffMs: { first: 1_500, max: 1_500 } });
    await reconnecting.whenListening();
    const runId = await insertRun(store, agentId);
    const follower = collect(runFeed(store, reconnecting), runId, 0);
    const firstEnd = await writer.stream(runId, 0, 2_000, 'before');
    await follower.until(() => follower.follow.deliveredSeq >= 500);
    const killedPid = reconnecting.backendPid;
    await terminateBackend(url, killedPid);
    const lastSeq = await writer.stream(runId, firstEnd, 1_500, 'after');
    await follower.until(() => follower.follow.deliveredSeq >= lastSeq);
    follower.follow.close();

    expect(follower.errors).toEqual([]);
    expect(reconnecting.connectionCount).toBe(2);
    expect(reconnecting.backendPid).not.toBe(killedPid);
    expectEachOnceInOrder(follower.items, await storedItemsAfter(store, runId, 0));
    await reconnecting.close();
  });

  it('gives up a LISTEN connection that stops answering (a host gone without a word), and loses nothing', async () => {
    const pinged = new PostgresLive(url, quiet, {
      backoffMs: { first: 100, max: 100 },
      pingMs: 200,
      pingTimeoutMs: 500,
    });
    await pinged.whenListening();
    const runId = await insertRun(store, agentId);
    const follower = collect(runFeed(store, pinged), runId, 0);
    const firstEnd = await writer.stream(runId, 0, 1_000, 'before');
    await follower.until(() => follower.follow.deliveredSeq >= firstEnd);
    // Its server process frozen: the socket stays open, nothing answers, no error comes.
    const frozenPid = pinged.backendPid;
    if (frozenPid === undefined) throw new Error('not listening');
    process.kill(frozenPid, 'SIGSTOP');
    try {
      const lastSeq = await writer.stream(runId, firstEnd, 1_000, 'frozen');
      await follower.until(() => follower.follow.deliveredSeq >= lastSeq);
      expect(pinged.connectionCount).toBe(2);
      expect(pinged.backendPid).not.toBe(frozenPid);
    } finally {
      process.kill(frozenPid, 'SIGCONT');
      follower.follow.close();
      await pinged.close();
    }
    expect(follower.errors).toEqual([]);
    expectEachOnceInOrder(follower.items, await storedItemsAfter(store, runId, 0));
  });

  it('skips a notification that is not one of ours, saying so, and keeps listening', async () => {
    const warnings: string[] = [];
    let warned: () => void = () => {};
    const logged = new Promise<void>((resolve) => {
      warned = resolve;
    });
    const strict = new PostgresLive(url, {
      info: () => {},
      warn: (_fields, message) => {
        warnings.push(message);
        warned();
      },
    });
    await strict.whenListening();
    const runId = await insertRun(store, agentId);
    const follower = collect(runFeed(store, strict), runId, 0);
    await follower.follow.caughtUp;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(
        `select pg_notify('claudeops_run_output', 'not json'), pg_notify('claudeops_run_control', '{"type":"stop"}')`,
      );
    } finally {
      await client.end();
    }
    await logged;
    const lastSeq = await writer.stream(runId, 0, 100, 'after');
    await follower.until(() => follower.follow.deliveredSeq >= lastSeq);
    follower.follow.close();
    await strict.close();

    expect(warnings).toEqual([
      'Live updates: skipped a notification that is not one of ours',
      'Live updates: skipped a notification that is not one of ours',
    ]);
    expect(strict.connectionCount).toBe(1);
    expectEachOnceInOrder(follower.items, await storedItemsAfter(store, runId, 0));
  });

  it('says the database cannot be reached once a reconnection fails (not when a connection is only ended), and reachable again when one succeeds', async () => {
    const target = new URL(url);
    const proxy = await startTcpProxy(Number(target.port));
    target.port = String(proxy.port);
    target.password = 'pg-secret-41c9';
    const linked = new PostgresLive(target.toString(), quiet, { backoffMs: { first: 50, max: 200 } });
    const changes: DatabaseLinkDto[] = [];
    linked.onLinkChange((link) => changes.push(link));
    try {
      await linked.whenListening();
      const where = `127.0.0.1:${proxy.port}/live_across`;
      expect(linked.link).toMatchObject({ state: 'reachable', where, cause: null });

      // An administrator ends the connection: the next attempt succeeds, nothing to tell.
      await terminateBackend(url, linked.backendPid);
      await eventually('a new LISTEN connection', async () => linked.connectionCount === 2 || undefined);
      expect(changes).toEqual([]);

      proxy.cut();
      await eventually('the link lost', async () => changes[0]);
      expect(changes[0]).toMatchObject({ state: 'unreachable', where, cause: expect.any(String) });
      expect(linked.link.state).toBe('unreachable');
      proxy.mend();
      await eventually('the link back', async () => changes[1]);
      expect(changes.map((change) => change.state)).toEqual(['unreachable', 'reachable']);
      expect(JSON.stringify(changes)).not.toContain('pg-secret-41c9');
    } finally {
      await linked.close();
      await proxy.close();
    }
  });

  it('keeps trying a Postgres that is not there, reporting each failure, until closed', async () => {
    const failures: unknown[] = [];
    let failedTwice: () => void = () => {};
    const twice = new Promise<void>((resolve) => {
      failedTwice = resolve;
    });
    const listener = new PostgresListener(
      'postgres://postgres@127.0.0.1:1/nowhere',
      ['claudeops_run_output'],
      {
        onNotification: () => {},
        onConnected: () => failures.push('connected to nothing'),
        onError: (error) => {
          failures.push((error as { code?: unknown }).code);
          if (failures.length === 2) failedTwice();
        },
      },
      { backoffMs: { first: 50, max: 50 } },
    );
    await twice;
    await listener.close();
    expect(failures.slice(0, 2)).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
    expect(listener.backendPid).toBeUndefined();
  });

  it('wakes the notification delivery when any connection commits an event to the outbox, not when one rolls back', async () => {
    let wakes = 0;
    const stop = live.onOutboxChange(() => wakes++);
    try {
      await createChannel(store, newBox(), everythingChannel());
      await recordEventOn(store, runFailed());
      await eventually('the wake of the committed event', async () => wakes === 1);
      const rolledBack = transaction(store, function* (tx) {
        yield* recordEventIn(tx, runFailed());
        throw new Error('the state change failed');
      });
      await expect(rolledBack).rejects.toThrow('the state change failed');
      // A later commit's wake arrives after any the rollback could have sent (commit order).
      await recordEventOn(store, runFailed());
      await eventually('the wake of the second committed event', async () => wakes >= 2);
      expect(wakes).toBe(2);
    } finally {
      stop();
    }
  });

  it("stops a run on the worker that runs it, and the requester sees the run's ending as the acknowledgement", async () => {
    const statusOf = async (id: number) =>
      (
        await store.db
          .select({ status: store.t.executions.status })
          .from(store.t.executions)
          .where(eq(store.t.executions.id, id))
      )[0]?.status;
    const cancelled = await insertRun(store, agentId, { workerId: WORKER_ID });
    const overBudget = await insertRun(store, agentId, { workerId: WORKER_ID });
    const elsewhere = await insertRun(store, agentId, { workerId: 'worker-c' });

    const reached = (id: number) =>
      writer.next(
        (m): m is Extract<FromWriter, { type: 'stopReached' }> =>
          m.type === 'stopReached' && m.request.executionId === id,
        0,
      );
    const sentAt = now();
    const deliveryErrors: unknown[] = [];
    const delivery = { onError: (error: unknown) => deliveryErrors.push(error) };
    const cancel = await requestStop(
      store,
      live,
      { executionId: cancelled, workerId: WORKER_ID, reason: 'cancelled', message: null },
      delivery,
    );
    const acknowledgedAt = now();
    const cancelReached = await reached(cancelled);
    console.log(
      `cancel across processes: reached the worker in ${(cancelReached.at - sentAt).toFixed(1)} ms, acknowledged in ${(acknowledgedAt - sentAt).toFixed(1)} ms`,
    );
    expect(cancel).toEqual({ acknowledged: true, status: 'cancelled' });
    expect(cancelReached.request).toMatchObject({ workerId: WORKER_ID, reason: 'cancelled' });

    const message = 'The monthly budget of $5.00 is reached ($5.02 spent)';
    const budget = await requestStop(
      store,
      live,
      { executionId: overBudget, workerId: WORKER_ID, reason: 'budget', message },
      delivery,
    );
    expect(budget).toEqual({ acknowledged: true, status: 'budget_exceeded' });
    expect((await reached(overBudget)).request.message).toBe(message);

    // Addressed to a worker nobody runs: not acknowledged by the deadline, and this worker left it alone.
    const unanswered = await requestStop(
      store,
      live,
      { executionId: elsewhere, workerId: 'worker-c', reason: 'cancelled', message: null },
      { ...delivery, waitMs: 500, resendMs: 200 },
    );
    expect(unanswered).toEqual({ acknowledged: false });
    expect(await statusOf(elsewhere)).toBe('running');
    expect(writer.messages.some((m) => m.type === 'stopReached' && m.request.executionId === elsewhere)).toBe(
      false,
    );
    // An already ended run is acknowledged as it is.
    expect(
      await requestStop(
        store,
        live,
        { executionId: cancelled, workerId: WORKER_ID, reason: 'cancelled', message: null },
        delivery,
      ),
    ).toEqual({
      acknowledged: true,
      status: 'cancelled',
    });
    expect(deliveryErrors).toEqual([]);
  });
});
