import { z } from 'zod';
import { invalidField } from '@/lib/core/errors';
import { getStore } from '@/lib/db/store';
import { executionEventStream } from '@/lib/http/executionEventStream';
import { idParam, route } from '@/lib/http/route';
import { requireRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

const sequence = z.coerce.number().int().min(0);
const querySchema = z.strictObject({ afterSeq: sequence.optional() });

/** Where to resume: the `Last-Event-ID` a reconnecting EventSource sends, else `?afterSeq=`, else the start. */
function resumeAfter(request: Request, afterSeq: number | undefined): number {
  const lastEventId = request.headers.get('last-event-id');
  if (lastEventId === null) return afterSeq ?? 0;
  const parsed = sequence.safeParse(lastEventId);
  if (!parsed.success) throw invalidField('Last-Event-ID', 'Must be a sequence number (a whole number ≥ 0)');
  return parsed.data;
}

/**
 * A run's steps, log lines and status changes as Server-Sent Events, for scripts: `curl -N` with
 * the Bearer token. A live run streams until it ends; an ended one is replayed, then the stream closes.
 */
export const GET = route(
  {
    params: idParam,
    query: querySchema,
    doc: {
      summary: "A run's steps, log lines and status as Server-Sent Events",
      stream: {
        contentType: 'text/event-stream',
        description: 'Events `step`, `log` and `status`, each with its sequence number as `id`',
      },
    },
  },
  async ({ params, query, request }) => {
    const { engine, backend } = requireRuntime();
    const stream = await executionEventStream(
      { feed: backend.runFeed, store: getStore(), liveView: (id) => engine.liveView(id) },
      params.id,
      resumeAfter(request, query.afterSeq),
    );
    return new Response(stream, {
      headers: {
        'Content-Type': 'text/event-stream; charset=utf-8',
        // no-transform also keeps Next's compression from buffering the stream.
        'Cache-Control': 'no-cache, no-transform',
        'X-Accel-Buffering': 'no',
      },
    });
  },
);
