// One worker process of the job-queue bench (forked by bench/jobQueues.ts): runs one queue
// library's workers and reports every handler's start and end over IPC, timed on the shared clock.
// It counts the SQL it sends, so the bench can read what an idle worker costs the database.
import pg from 'pg';
import type { HandlerEvent } from './jobIntervals';
import { type KindName, kinds, type Producer } from './jobQueueKinds';
import { preciseNow } from './stats';

export type ToWorker =
  | { type: 'queries' }
  | { type: 'workOn'; queues: 'lanes' | 'slots' }
  /** Fire every-second schedule slots for this long, each a bit after the second (other process: later). */
  | { type: 'tick'; seconds: number; offsetMs: number }
  | { type: 'stop' };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'queries'; count: number }
  | { type: 'done' }
  | ({ task: string } & HandlerEvent);

let queries = 0;
const query = pg.Client.prototype.query;
// Both libraries and the floor send through pg.Client (a Pool lends Clients).
pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
  queries++;
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;

const kind = process.env.JQ_KIND as KindName;
const url = process.env.JQ_URL ?? '';
const concurrency = Number(process.env.JQ_CONCURRENCY ?? 4);
const send = (message: FromWorker) => process.send?.(message);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const workers = await kinds[kind].work(url, concurrency, async (task, payload) => {
  send({ type: 'start', task, id: payload.id, key: payload.key, pid: process.pid, at: preciseNow() });
  if (payload.holdMs > 0) await sleep(payload.holdMs);
  send({ type: 'end', task, id: payload.id, key: payload.key, pid: process.pid, at: preciseNow() });
});

async function tick(seconds: number, offsetMs: number, producer: Producer) {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    const slot = Math.floor(Date.now() / 1000);
    await sleep(Math.max(0, (slot + 1) * 1000 + offsetMs - Date.now()));
    await producer.fireSlot(slot + 1);
  }
}

process.on('message', async (message: ToWorker) => {
  if (message.type === 'queries') send({ type: 'queries', count: queries });
  else if (message.type === 'workOn') {
    await workers.workOn(message.queues);
    send({ type: 'done' });
  } else if (message.type === 'tick') {
    const producer = await kinds[kind].producer(url);
    await tick(message.seconds, message.offsetMs, producer);
    await producer.close();
    send({ type: 'done' });
  } else {
    await workers.stop();
    process.exit(0);
  }
});
send({ type: 'ready' });
