import { type ExecutionLive, isActiveStatus, type LogLineDto, type StepDto } from '../contracts/executions';
import { notFound } from '../core/errors';
import type { Db } from '../db';
import { onSqlite } from '../db/plan';
import { getExecutionLive, getExecutionLogs, getExecutionSteps } from '../db/queries/executions';
import type { EngineEvent, EngineEvents } from '../engine/events';

/** Lines replayed from SQLite per read, so a long log streams without a long read. */
const REPLAY_CHUNK_LINES = 2_000;
/** Keeps proxies and idle timeouts from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;
/** A reader this far behind is dropped; it reconnects with Last-Event-ID and loses nothing. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export interface EventStreamSource {
  db: Db;
  events: EngineEvents;
  /** The run as the engine has it while it runs; undefined once it has ended. */
  liveView(executionId: number): ExecutionLive | undefined;
}

const encoder = new TextEncoder();

/** One Server-Sent Event; `id` is the sequence number a reconnect resumes after. */
function sse(event: 'step' | 'log' | 'status', id: number, data: unknown): Uint8Array {
  return encoder.encode(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function itemEvents(steps: readonly StepDto[], logs: readonly LogLineDto[], after: number): Uint8Array[] {
  const items = [
    ...steps.map((step) => ({ seq: step.seq, frame: () => sse('step', step.seq, step) })),
    ...logs.map((log) => ({ seq: log.seq, frame: () => sse('log', log.seq, log) })),
  ];
  return items
    .filter((item) => item.seq > after)
    .sort((a, b) => a.seq - b.seq)
    .map((item) => item.frame());
}

function executionOf(event: EngineEvent): number | null {
  if (event.type === 'run.output') return event.executionId;
  return 'execution' in event ? event.execution.id : null;
}

/**
 * A run's steps, log lines and status as Server-Sent Events, each with its sequence number as
 * `id`: everything after `afterSeq` from SQLite, then live until the run ends, then the stream
 * closes. The replay and the subscription happen in one synchronous block (the reads run their
 * plans with onSqlite, never awaited), and the engine publishes only after its commits on this
 * same thread, so nothing can fall between them; anything at or below what was sent is dropped,
 * so a reader sees no gap and no duplicate.
 */
export function executionEventStream(
  source: EventStreamSource,
  executionId: number,
  afterSeq: number,
): ReadableStream<Uint8Array> {
  const { db } = source;
  const storedView = () => onSqlite(db, (store) => getExecutionLive(store, executionId));
  const current = source.liveView(executionId) ?? storedView();
  if (!current) throw notFound('Execution');

  let sent = afterSeq;
  let stop = () => {};

  return new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
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
      const status = (execution: ExecutionLive) => {
        push(sse('status', Math.max(sent, execution.lastSeq), execution));
        if (!isActiveStatus(execution.status)) close();
      };
      const apply = (event: EngineEvent) => {
        if (event.type === 'run.output') {
          for (const chunk of itemEvents(event.steps, event.logs, sent)) push(chunk);
          sent = Math.max(sent, event.seq);
        } else if ('execution' in event) {
          status(event.execution);
        }
      };

      for (;;) {
        const logs = onSqlite(db, (store) => getExecutionLogs(store, executionId, sent, REPLAY_CHUNK_LINES));
        const last = logs.at(-1);
        const through = logs.length === REPLAY_CHUNK_LINES && last ? last.seq : Number.MAX_SAFE_INTEGER;
        const steps = onSqlite(db, (store) => getExecutionSteps(store, executionId, sent, through));
        for (const chunk of itemEvents(steps, logs, sent)) push(chunk);
        sent = Math.max(sent, last?.seq ?? sent, steps.at(-1)?.seq ?? sent);
        if (through === Number.MAX_SAFE_INTEGER || closed) break;
      }
      if (closed) return;
      const unsubscribe = source.events.subscribe((event) => {
        if (executionOf(event) === executionId) apply(event);
      });
      const keepalive = setInterval(() => push(encoder.encode(': keepalive\n\n')), KEEPALIVE_MS);
      stop = () => {
        unsubscribe();
        clearInterval(keepalive);
      };
      status(source.liveView(executionId) ?? storedView() ?? current);
    },
    cancel() {
      stop();
    },
  });
}
