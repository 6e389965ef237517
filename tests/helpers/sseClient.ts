export interface ServerSentEvent {
  id: number;
  event: string;
  data: unknown;
}

export interface SseReading {
  status: number;
  contentType: string | null;
  events: ServerSentEvent[];
  /** True when the server ended the stream (rather than the reader stopping early). */
  closedByServer: boolean;
}

/** Parses the complete events in `buffer`; returns them and what is left over. */
function parse(buffer: string): { events: ServerSentEvent[]; rest: string } {
  const blocks = buffer.split('\n\n');
  const rest = blocks.pop() ?? '';
  const events: ServerSentEvent[] = [];
  for (const block of blocks) {
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
    }
    const data = fields.get('data');
    if (data === undefined) continue;
    events.push({
      id: Number(fields.get('id')),
      event: fields.get('event') ?? 'message',
      data: JSON.parse(data),
    });
  }
  return { events, rest };
}

/** Reads an SSE stream as a script would (fetch), until the server closes it or `enough` says stop. */
export async function readEvents(
  url: string,
  headers: Record<string, string>,
  enough: (events: ServerSentEvent[]) => boolean = () => false,
  timeoutMs = 30_000,
): Promise<SseReading> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const response = await fetch(url, { headers, signal: abort.signal });
    const head = { status: response.status, contentType: response.headers.get('content-type') };
    if (!response.body || !response.ok) return { ...head, events: [], closedByServer: false };
    return { ...head, ...(await readStream(response.body, enough)) };
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

/** The events of a stream of Server-Sent Events, until it ends or `enough` says stop (then it is cancelled). */
export async function readStream(
  body: ReadableStream<Uint8Array>,
  enough: (events: ServerSentEvent[]) => boolean = () => false,
): Promise<Pick<SseReading, 'events' | 'closedByServer'>> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const events: ServerSentEvent[] = [];
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return { events, closedByServer: true };
    const parsed = parse(buffer + decoder.decode(value, { stream: true }));
    buffer = parsed.rest;
    events.push(...parsed.events);
    if (enough(events)) {
      await reader.cancel();
      return { events, closedByServer: false };
    }
  }
}
