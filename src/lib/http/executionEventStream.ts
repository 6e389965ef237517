import {
  type ExecutionLive,
  type ExecutionStatus,
  isActiveStatus,
  type LogLineDto,
  type StepDto,
} from '../contracts/executions';
import { isDomainError, notFound } from '../core/errors';
import { execute } from '../db/plan';
import { getExecutionLive } from '../db/queries/executions';
import type { Store } from '../db/store';
import type { RunFeed } from '../live/runFeed';

/** Keeps proxies and idle timeouts from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;
/** A reader this far behind is dropped; it reconnects with Last-Event-ID and loses nothing. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export interface EventStreamSource {
  /** The run's output, from any sequence number, live: in process or across processes. */
  feed: RunFeed;
  /** Where a run's view is read when this process does not run it. */
  store: Store;
  /** The run as the engine has it while it runs in this process; undefined otherwise. */
  liveView(executionId: number): ExecutionLive | undefined;
}

const encoder = new TextEncoder();

/** One Server-Sent Event; `id` is the sequence number a reconnect resumes after. */
function sse(event: 'step' | 'log' | 'status', id: number, data: unknown): Uint8Array {
  return encoder.encode(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function itemEvents(steps: readonly StepDto[], logs: readonly LogLineDto[]): Uint8Array[] {
  const items = [
    ...steps.map((step) => ({ seq: step.seq, frame: () => sse('step', step.seq, step) })),
    ...logs.map((log) => ({ seq: log.seq, frame: () => sse('log', log.seq, log) })),
  ];
  return items.sort((a, b) => a.seq - b.seq).map((item) => item.frame());
}

/**
 * A run's steps, log lines and status as Server-Sent Events, each with its sequence number as
 * `id`: everything after `afterSeq`, then live until the run ends, then the stream closes. The run
 * feed (src/lib/live/runFeed.ts) hands each item once, in order, with no gap, whether the run's
 * output commits in this process or on a worker host; a status event follows the lines committed
 * before it, and its `id` is the last sequence number sent, so a resume never skips a line.
 * Rejects with not found for a run that does not exist.
 */
export async function executionEventStream(
  source: EventStreamSource,
  executionId: number,
  afterSeq: number,
): Promise<ReadableStream<Uint8Array>> {
  const storedView = () => execute(source.store, getExecutionLive(source.store, executionId));
  if (!(source.liveView(executionId) ?? (await storedView()))) throw notFound('Execution');
  /**
   * The view a status event carries. An ending is read from the store, where the feed read it; an
   * active status from the engine when it runs the run here. A view that has ended meanwhile is not
   * sent: the feed announces that ending next, after the lines before it.
   */
  const viewFor = async (status: ExecutionStatus): Promise<ExecutionLive | undefined> => {
    if (!isActiveStatus(status)) return storedView();
    const view = source.liveView(executionId) ?? (await storedView());
    return view && isActiveStatus(view.status) ? view : undefined;
  };

  let stop = () => {};
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let sent = afterSeq;
        let closed = false;
        // Deliveries in the order the feed made them: a status waits for its view's read, and the lines after it wait for the status.
        let queue = Promise.resolve();
        const later = (write: () => void | Promise<void>) => {
          queue = queue.then(write).catch(() => close());
        };
        const close = () => {
          if (closed) return;
          closed = true;
          stop();
          controller.close();
        };
        const push = (chunk: Uint8Array) => {
          if ((controller.desiredSize ?? 0) < -MAX_BUFFERED_BYTES) close();
          else if (!closed) controller.enqueue(chunk);
        };
        const follow = source.feed.follow(executionId, afterSeq, {
          onItems: ({ steps, logs, seq }) =>
            later(() => {
              for (const chunk of itemEvents(steps, logs)) push(chunk);
              sent = seq;
            }),
          onStatus: (status) =>
            later(async () => {
              const execution = await viewFor(status);
              if (execution) push(sse('status', sent, execution));
              if (!isActiveStatus(status)) close();
            }),
          // A failed read is tried again by the feed; a run deleted meanwhile ends the stream.
          onError: (error) => {
            if (isDomainError(error) && error.kind === 'not_found') later(close);
          },
        });
        const keepalive = setInterval(() => push(encoder.encode(': keepalive\n\n')), KEEPALIVE_MS);
        stop = () => {
          follow.close();
          clearInterval(keepalive);
        };
      },
      cancel() {
        stop();
      },
    },
    // desiredSize counts queued bytes (not chunks), so the slow-reader drop above is in bytes.
    new ByteLengthQueuingStrategy({ highWaterMark: 0 }),
  );
}
