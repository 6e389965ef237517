// A scripted Anthropic Messages API for tests: the real Claude Code CLI is pointed at it
// with ANTHROPIC_BASE_URL and gets back model turns that each test writes in advance.
import http from 'node:http';

export type ScriptedBlock =
  | { type: 'text'; text: string }
  | {
      type: 'tool_use';
      id?: string;
      name: string;
      input: Record<string, unknown>;
    }
  | { type: 'thinking'; thinking: string };

export interface ScriptedUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation?: {
    ephemeral_5m_input_tokens: number;
    ephemeral_1h_input_tokens: number;
  };
}

export type ScriptedTurn =
  | {
      kind?: 'message';
      /** Message id; generated if absent (msg_scripted_N). */
      id?: string;
      /** Defaults to the model named in the request body. */
      model?: string;
      content: ScriptedBlock[];
      /** Final usage. message_start carries input/cache tokens with output_tokens 1 and message_delta the final figures, as the real API does. */
      usage?: ScriptedUsage;
      /** Default: 'tool_use' if any tool_use block, else 'end_turn'. */
      stopReason?: 'end_turn' | 'tool_use' | 'max_tokens';
      /** Wait before sending response headers. */
      delayMs?: number;
      /** Also wait for this before sending response headers: until the test is ready to watch. */
      holdUntil?: Promise<unknown>;
      /** Wait between SSE events, so a test can watch a turn stream in. */
      chunkDelayMs?: number;
      /** Characters per text delta (default 32, like the real API); megabytes of text go faster in larger ones. */
      textDeltaChars?: number;
      /**
       * Ends the last text block with a marker unique to this answer (`[answer-3]`), recorded in
       * `markers`: a test can follow this very answer into later requests, and count how often a
       * script was answered.
       */
      mark?: boolean;
    }
  /** Note: the CLI re-sends a 400 at once twice (dropping beta headers); those re-sends take the next turns. */
  | {
      kind: 'http_error';
      status: number;
      errorType: string;
      message: string;
      headers?: Record<string, string>;
    }
  /** Send N SSE events (default 0) of a placeholder text turn, then destroy the socket. */
  | { kind: 'drop_connection'; afterEvents?: number }
  /** 200 + text/event-stream whose body is neither SSE nor JSON. */
  | { kind: 'malformed_sse' }
  /** Hold the request open until the client goes away or the server closes. */
  | { kind: 'hang' };

export interface RecordedRequest {
  /** Which script consumed it; null when none did. */
  key: string | null;
  method: string;
  /** Includes the query, e.g. /v1/messages?beta=true */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  stream: boolean;
  model: string | undefined;
  receivedAt: number;
}

/** A marker a `mark`ed turn carried, and the script that served it. */
export interface AnswerMarker {
  key: string;
  marker: string;
}

export interface ScriptOptions {
  /** Serve the last turn again forever once the others are used. */
  repeatLast?: boolean;
}

export interface ScriptedModelServer {
  /** http://127.0.0.1:PORT, for ANTHROPIC_BASE_URL */
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  /** Every text block fully sent, in order: where a latency measurement starts. */
  readonly sentTextBlocks: readonly SentTextBlock[];
  /** The markers of `mark`ed turns, in the order they were served. */
  readonly markers: readonly AnswerMarker[];
  /** The markers served for one script, in order. */
  markersOf(key: string): string[];
  /** Registers (or replaces) the turns served to requests whose messages or system prompt contain `key`. */
  script(key: string, turns: ScriptedTurn[], options?: ScriptOptions): void;
  /** Turns not yet served. */
  remaining(key: string): number;
  /** Closes the server and destroys every open or hanging connection. */
  close(): Promise<void>;
}

type MessageTurn = Extract<ScriptedTurn, { content: ScriptedBlock[] }>;

interface Script {
  turns: ScriptedTurn[];
  served: number;
  repeatLast: boolean;
}

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
  /** On a text block's content_block_stop: the block's text, so its send time is recorded. */
  completesText?: string;
}

/** A text block the server finished sending, and when (ms since the epoch, sub-millisecond). */
export interface SentTextBlock {
  text: string;
  sentAt: number;
}

type ResponseBlock =
  | { type: 'text'; text: string }
  | {
      type: 'tool_use';
      id: string;
      name: string;
      input: Record<string, unknown>;
    }
  | { type: 'thinking'; thinking: string; signature: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...headers, 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function apiError(type: string, message: string) {
  return { type: 'error', error: { type, message } };
}

// Resolves early when the response closes, so close() never waits on a sleeping turn.
function wait(ms: number, res: http.ServerResponse): Promise<void> {
  if (ms <= 0 || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.on('close', done);
  });
}

// Several deltas per block, like the real API, so partial-message consumers see text grow.
function pieces(text: string, size = 32): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [''];
}

// A rough stand-in for a tokenizer: only used when a test scripts no usage.
function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function fullUsage(u: ScriptedUsage): Record<string, unknown> {
  return {
    input_tokens: u.input_tokens,
    cache_creation_input_tokens: u.cache_creation_input_tokens ?? 0,
    cache_read_input_tokens: u.cache_read_input_tokens ?? 0,
    ...(u.cache_creation ? { cache_creation: u.cache_creation } : {}),
    output_tokens: u.output_tokens,
    service_tier: 'standard',
  };
}

export async function startScriptedModelServer(): Promise<ScriptedModelServer> {
  const scripts = new Map<string, Script>();
  const requests: RecordedRequest[] = [];
  const sentTextBlocks: SentTextBlock[] = [];
  const markers: AnswerMarker[] = [];
  let messageCount = 0;
  let toolUseCount = 0;
  let requestCount = 0;

  function takeTurn(haystack: string): { key: string | null; turn: ScriptedTurn | undefined } {
    for (const [key, script] of scripts) {
      // Keys are searched in JSON text, where quotes and backslashes appear escaped.
      if (!haystack.includes(key) && !haystack.includes(JSON.stringify(key).slice(1, -1))) continue;
      const last = script.turns[script.turns.length - 1];
      if (script.served < script.turns.length) {
        const turn = script.turns[script.served];
        script.served += 1;
        return { key, turn };
      }
      return { key, turn: script.repeatLast ? last : undefined };
    }
    return { key: null, turn: undefined };
  }

  /** The turn with a fresh marker after its last text block's text. */
  function marked(turn: MessageTurn, key: string): MessageTurn {
    const marker = `[answer-${markers.length + 1}]`;
    markers.push({ key, marker });
    const last = turn.content.findLastIndex((block) => block.type === 'text');
    const content: ScriptedBlock[] =
      last === -1
        ? [...turn.content, { type: 'text', text: marker }]
        : turn.content.map((block, i) =>
            i === last && block.type === 'text' ? { ...block, text: `${block.text} ${marker}` } : block,
          );
    return { ...turn, content };
  }

  function buildMessage(turn: MessageTurn, requestModel: string | undefined, requestText: string) {
    messageCount += 1;
    const content = turn.content.map((block): ResponseBlock => {
      if (block.type === 'text') return { type: 'text', text: block.text };
      if (block.type === 'thinking') {
        return { type: 'thinking', thinking: block.thinking, signature: `sig_scripted_${messageCount}` };
      }
      toolUseCount += 1;
      return {
        type: 'tool_use',
        id: block.id ?? `toolu_scripted_${toolUseCount}`,
        name: block.name,
        input: block.input,
      };
    });
    const usage: ScriptedUsage = turn.usage ?? {
      input_tokens: estimateTokens(requestText),
      output_tokens: estimateTokens(JSON.stringify(content)),
    };
    return {
      id: turn.id ?? `msg_scripted_${messageCount}`,
      type: 'message',
      role: 'assistant',
      model: turn.model ?? requestModel ?? 'claude-sonnet-4-5',
      content,
      stop_reason: turn.stopReason ?? (content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn'),
      stop_sequence: null,
      usage,
    };
  }

  function streamEvents(message: ReturnType<typeof buildMessage>, textDeltaChars = 32): SseEvent[] {
    const events: SseEvent[] = [
      {
        event: 'message_start',
        data: {
          type: 'message_start',
          message: {
            ...message,
            content: [],
            stop_reason: null,
            usage: fullUsage({ ...message.usage, output_tokens: 1 }),
          },
        },
      },
    ];
    message.content.forEach((block, index) => {
      const delta = (d: Record<string, unknown>): SseEvent => ({
        event: 'content_block_delta',
        data: { type: 'content_block_delta', index, delta: d },
      });
      let start: Record<string, unknown>;
      let deltas: SseEvent[];
      switch (block.type) {
        case 'text':
          start = { type: 'text', text: '' };
          deltas = pieces(block.text, textDeltaChars).map((text) => delta({ type: 'text_delta', text }));
          break;
        case 'tool_use':
          start = { type: 'tool_use', id: block.id, name: block.name, input: {} };
          deltas = pieces(JSON.stringify(block.input)).map((partial_json) =>
            delta({ type: 'input_json_delta', partial_json }),
          );
          break;
        case 'thinking':
          start = { type: 'thinking', thinking: '', signature: '' };
          deltas = [
            ...pieces(block.thinking).map((thinking) => delta({ type: 'thinking_delta', thinking })),
            delta({ type: 'signature_delta', signature: block.signature }),
          ];
          break;
      }
      events.push(
        {
          event: 'content_block_start',
          data: { type: 'content_block_start', index, content_block: start },
        },
        ...deltas,
        {
          event: 'content_block_stop',
          data: { type: 'content_block_stop', index },
          ...(block.type === 'text' ? { completesText: block.text } : {}),
        },
      );
    });
    events.push(
      {
        event: 'message_delta',
        data: {
          type: 'message_delta',
          delta: { stop_reason: message.stop_reason, stop_sequence: null },
          usage: fullUsage(message.usage),
        },
      },
      { event: 'message_stop', data: { type: 'message_stop' } },
    );
    return events;
  }

  async function writeEvents(
    res: http.ServerResponse,
    events: SseEvent[],
    chunkDelayMs: number,
  ): Promise<void> {
    for (const [i, e] of events.entries()) {
      if (i > 0) await wait(chunkDelayMs, res);
      if (res.destroyed) return;
      res.write(`event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
      if (e.completesText !== undefined) {
        sentTextBlocks.push({ text: e.completesText, sentAt: performance.timeOrigin + performance.now() });
      }
    }
  }

  function startSse(res: http.ServerResponse, requestId: string): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'request-id': requestId,
    });
  }

  async function serveMessages(
    res: http.ServerResponse,
    record: RecordedRequest,
    bodyText: string,
    requestId: string,
  ): Promise<void> {
    const body = isRecord(record.body) ? record.body : {};
    const haystack = `${JSON.stringify(body.messages ?? null)}\n${JSON.stringify(body.system ?? null)}`;
    const { key, turn } = takeTurn(haystack);
    if (turn === undefined) {
      // 400 because the CLI does not back off on it (it re-sends at once twice with fewer beta
      // headers, then gives up): a test missing a turn fails in ~0.1 s instead of retrying for minutes.
      sendJson(
        res,
        400,
        apiError(
          'invalid_request_error',
          `scripted model server: no scripted turn for this request (key: ${key ?? 'none matched'})`,
        ),
      );
      return;
    }
    record.key = key;

    switch (turn.kind) {
      case 'http_error':
        sendJson(res, turn.status, apiError(turn.errorType, turn.message), {
          'request-id': requestId,
          ...turn.headers,
        });
        return;
      case 'hang':
        return;
      case 'malformed_sse':
        startSse(res, requestId);
        res.end('this is not server-sent events\n{not json at all\n\n');
        return;
      case 'drop_connection': {
        if (record.stream) {
          const placeholder = buildMessage(
            { content: [{ type: 'text', text: 'connection dropped' }] },
            record.model,
            bodyText,
          );
          startSse(res, requestId);
          await writeEvents(res, streamEvents(placeholder).slice(0, turn.afterEvents ?? 0), 0);
        }
        res.destroy();
        return;
      }
      case undefined:
      case 'message': {
        await wait(turn.delayMs ?? 0, res);
        await turn.holdUntil;
        if (res.destroyed) return;
        const message = buildMessage(turn.mark && key ? marked(turn, key) : turn, record.model, bodyText);
        if (!record.stream) {
          sendJson(res, 200, { ...message, usage: fullUsage(message.usage) }, { 'request-id': requestId });
          return;
        }
        startSse(res, requestId);
        await writeEvents(res, streamEvents(message, turn.textDeltaChars), turn.chunkDelayMs ?? 0);
        res.end();
        return;
      }
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const bodyText = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = bodyText === '' ? undefined : JSON.parse(bodyText);
    } catch {
      body = bodyText;
    }
    const record: RecordedRequest = {
      key: null,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: { ...req.headers },
      body,
      stream: isRecord(body) && body.stream === true,
      model: isRecord(body) && typeof body.model === 'string' ? body.model : undefined,
      receivedAt: Date.now(),
    };
    requests.push(record);
    requestCount += 1;
    const requestId = `req_scripted_${requestCount}`;

    const pathname = new URL(record.path, 'http://localhost').pathname;
    if (record.method === 'POST' && pathname === '/v1/messages') {
      await serveMessages(res, record, bodyText, requestId);
    } else if (record.method === 'POST' && pathname === '/v1/messages/count_tokens') {
      sendJson(res, 200, { input_tokens: estimateTokens(bodyText) });
    } else {
      sendJson(
        res,
        404,
        apiError('not_found_error', `scripted model server: no route for ${record.method} ${pathname}`),
      );
    }
  }

  const server = http.createServer((req, res) => {
    // A client that hangs up mid-response is expected (drop, hang, abort), not a test failure.
    res.on('error', () => {});
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, apiError('api_error', String(error)));
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('scripted model server: not listening on TCP');

  return {
    url: `http://127.0.0.1:${address.port}`,
    get requests() {
      return requests;
    },
    get sentTextBlocks() {
      return sentTextBlocks;
    },
    get markers() {
      return markers;
    },
    markersOf(key) {
      return markers.filter((entry) => entry.key === key).map((entry) => entry.marker);
    },
    script(key, turns, options = {}) {
      if (key === '') throw new Error('scripted model server: a script key must not be empty');
      scripts.set(key, { turns: [...turns], served: 0, repeatLast: options.repeatLast ?? false });
    },
    remaining(key) {
      const script = scripts.get(key);
      return script ? Math.max(0, script.turns.length - script.served) : 0;
    },
    close() {
      return new Promise<void>((resolve) => {
        // Resolve even when already closed: close() is called from afterEach/afterAll hooks.
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * The model's final answer when the run asks for structured output (`outputFormat`): Claude Code
 * offers a `StructuredOutput` tool, the answer is a call to it, and the result carries `input`.
 */
export function structuredOutputTurn(input: Record<string, unknown>): ScriptedTurn {
  return { content: [{ type: 'tool_use', name: 'StructuredOutput', input }] };
}

/** A promise that resolves when opened: a scripted turn's `holdUntil`, released once the test watches. */
export function gate(): { opened: Promise<void>; open(): void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/**
 * A run of two turns: a Bash call printing `alpha` and `beta`, then `answer`. 2,100 input and 100
 * output tokens in all: $0.0078 on Sonnet 4.5 ($3 and $15 per million).
 */
export function echoThenAnswer(answer: string): ScriptedTurn[] {
  return [
    {
      content: [{ type: 'tool_use', name: 'Bash', input: { command: 'echo alpha; echo beta' } }],
      usage: { input_tokens: 1_000, output_tokens: 40 },
    },
    { content: [{ type: 'text', text: answer }], usage: { input_tokens: 1_100, output_tokens: 60 } },
  ];
}
