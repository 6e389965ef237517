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
  const response = await fetch(url, { headers, signal: abort.signal });
  const reading: SseReading = {
    status: response.status,
    contentType: response.headers.get('content-type'),
    events: [],
    closedByServer: false,
  };
  if (!response.body || !response.ok) {
    clearTimeout(timer);
    return reading;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        reading.closedByServer = true;
        break;
      }
      const parsed = parse(buffer + value);
      buffer = parsed.rest;
      reading.events.push(...parsed.events);
      if (enough(reading.events)) break;
    }
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return reading;
}
