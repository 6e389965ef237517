/*
 * The real Claude Agent SDK (0.3.331, bundled Claude Code 2.1.331) against tests/helpers/scriptedModelServer.ts.
 *
 * Measured facts (as root, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1):
 * - A two-turn run makes exactly two `POST /v1/messages?beta=true` streaming calls (x-api-key = the key,
 *   anthropic-beta lists claude-code, interleaved-thinking, context-management, thinking-token-count,
 *   thinking-display-updates), nothing else. Each request body is ~15 KB (system prompt + Bash tool).
 * - A `system/status` message (status 'requesting') precedes every API call.
 * - Streamed `assistant` messages (one per content block) carry the message_start usage (output_tokens 1) and
 *   stop_reason null; the final figures reach the SDK only on the `message_delta` stream event and in the
 *   result. message_delta may repeat input/cache tokens (as the real API does): the CLI does not double them.
 *   A non-streaming fallback reply yields an assistant message with the final usage and stop_reason.
 * - `result.usage` sums the final usage of each call (cache read/creation included, 5m/1h split kept);
 *   `modelUsage` is keyed by the REQUEST model: a reply whose `model` differs (e.g. claude-haiku-4-5) shows that
 *   model on its assistant messages, but its tokens and cost are booked under the request model.
 * - An API error ends with a synthetic assistant message (model '<synthetic>', is_api_error_message true,
 *   api_error_status/api_error_type) and a result with is_error true, subtype 'success' (!), terminal_reason
 *   'api_error', api_error_status; then the iterator throws "Claude Code returned an error result: ...".
 * - A 400 is not retried with backoff, but the CLI re-sends it at once twice, each time dropping one beta
 *   header (thinking-token-count, then thinking-display-updates): 3 requests, ~0.1 s in all.
 * - 429 with `retry-after: 1` and CLAUDE_CODE_MAX_RETRIES=1: one `system/api_retry` message
 *   {attempt: 1, max_retries: 1, retry_delay_ms: ~1000-1100, error_status: 429, error: 'rate_limit'}, then the
 *   retry; if that fails too the result text is "API Error: Request rejected (429) · slow down".
 * - A dropped connection: api_retry with error_status null, error 'unknown', retry_delay_ms ~550.
 * - malformed SSE: one immediate non-streaming retry (stream false) on the same script, no api_retry message.
 * - A thinking block adds `system/thinking_tokens` messages (estimated_tokens) while it streams.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Options, query, type SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ScriptedModelServer,
  type ScriptedUsage,
  startScriptedModelServer,
} from '../helpers/scriptedModelServer';

const MODEL = 'claude-sonnet-4-5';
const API_KEY = 'sk-ant-test-key';

type ResultMessage = Extract<SDKMessage, { type: 'result' }>;
type AssistantMessage = Extract<SDKMessage, { type: 'assistant' }>;
type UserMessage = Extract<SDKMessage, { type: 'user' }>;
type StreamEvent = Extract<SDKMessage, { type: 'stream_event' }>;

interface Run {
  messages: SDKMessage[];
  result: ResultMessage | undefined;
  error: unknown;
  durationMs: number;
}

let server: ScriptedModelServer;
let dir: string;

beforeAll(async () => {
  server = await startScriptedModelServer();
});

afterAll(async () => {
  await server.close();
});

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'claudeops-scripted-'));
  await mkdir(path.join(dir, 'tmp'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

// The iterator throws after an error result, so collect what came before the throw.
async function runAgent(prompt: string, extraEnv: Record<string, string> = {}): Promise<Run> {
  const options: Options = {
    model: MODEL,
    cwd: dir,
    permissionMode: 'dontAsk',
    allowedTools: ['Bash'],
    tools: ['Bash'],
    persistSession: false,
    settingSources: [],
    includePartialMessages: true,
    maxTurns: 5,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      ANTHROPIC_API_KEY: API_KEY,
      ANTHROPIC_BASE_URL: server.url,
      CLAUDE_CONFIG_DIR: path.join(dir, 'config'),
      CLAUDE_CODE_TMPDIR: path.join(dir, 'tmp'),
      TMPDIR: path.join(dir, 'tmp'),
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_AUTOUPDATER: '1',
      ...extraEnv,
    },
  };
  const started = Date.now();
  const messages: SDKMessage[] = [];
  let error: unknown;
  try {
    for await (const message of query({ prompt, options })) messages.push(message);
  } catch (e) {
    error = e;
  }
  const result = messages.find((m): m is ResultMessage => m.type === 'result');
  return { messages, result, error, durationMs: Date.now() - started };
}

const assistants = (run: Run) => run.messages.filter((m): m is AssistantMessage => m.type === 'assistant');
const streamEvents = (run: Run) => run.messages.filter((m): m is StreamEvent => m.type === 'stream_event');
const requestsFor = (key: string) => server.requests.filter((r) => r.key === key);

const usage1: ScriptedUsage = {
  input_tokens: 1200,
  output_tokens: 40,
  cache_read_input_tokens: 300,
  cache_creation_input_tokens: 100,
  cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 0 },
};
const usage2: ScriptedUsage = {
  input_tokens: 1400,
  output_tokens: 12,
  cache_read_input_tokens: 500,
  cache_creation_input_tokens: 0,
};

describe('scripted model server with the real Claude Agent SDK', () => {
  it('runs a Bash tool call and a text answer, with usage and cost in the result', async () => {
    const key = '[script:two-turns]';
    server.script(key, [
      {
        content: [
          { type: 'text', text: 'I will run it.' },
          {
            type: 'tool_use',
            id: 'toolu_echo',
            name: 'Bash',
            input: { command: 'echo hello-from-tool', description: 'Print a greeting' },
          },
        ],
        usage: usage1,
      },
      { content: [{ type: 'text', text: 'The tool said hello-from-tool.' }], usage: usage2 },
    ]);

    const requestsBefore = server.requests.length;
    const run = await runAgent(`${key} Run echo hello-from-tool and tell me what it printed.`);
    expect(run.error).toBeUndefined();

    const init = run.messages.find((m) => m.type === 'system' && m.subtype === 'init');
    expect(init).toMatchObject({ apiKeySource: 'ANTHROPIC_API_KEY', model: MODEL, tools: ['Bash'] });

    const toolUse = assistants(run)
      .flatMap((m) => m.message.content)
      .find((b) => b.type === 'tool_use');
    expect(toolUse).toMatchObject({
      id: 'toolu_echo',
      name: 'Bash',
      input: { command: 'echo hello-from-tool' },
    });

    const toolResults = run.messages
      .filter((m): m is UserMessage => m.type === 'user')
      .flatMap((m) => (Array.isArray(m.message.content) ? m.message.content : []))
      .filter((b) => b.type === 'tool_result');
    expect(toolResults).toHaveLength(1);
    expect(JSON.stringify(toolResults[0])).toContain('hello-from-tool');

    expect(run.result).toMatchObject({
      subtype: 'success',
      is_error: false,
      result: 'The tool said hello-from-tool.',
      num_turns: 2,
      usage: {
        input_tokens: 2600,
        output_tokens: 52,
        cache_read_input_tokens: 800,
        cache_creation_input_tokens: 100,
      },
      modelUsage: {
        [MODEL]: {
          inputTokens: 2600,
          outputTokens: 52,
          cacheReadInputTokens: 800,
          cacheCreationInputTokens: 100,
          cacheCreationEphemeral5mInputTokens: 100,
        },
      },
    });
    expect(Object.keys(run.result?.modelUsage ?? {})).toEqual([MODEL]);
    expect(run.result?.total_cost_usd).toBeGreaterThan(0);

    // Streamed assistant messages carry message_start usage; the final output arrives on message_delta.
    for (const m of assistants(run)) expect(m.message.usage.output_tokens).toBe(1);
    const deltas = streamEvents(run).flatMap((e) =>
      e.event.type === 'message_delta' ? [e.event.usage] : [],
    );
    expect(deltas.map((u) => u.output_tokens)).toEqual([40, 12]);

    const requests = requestsFor(key);
    expect(requests).toHaveLength(2);
    // Nothing else: no /api/hello, no title generation, no count_tokens.
    expect(server.requests.slice(requestsBefore)).toEqual(requests);
    for (const r of requests) {
      expect(r).toMatchObject({ method: 'POST', path: '/v1/messages?beta=true', stream: true, model: MODEL });
      expect(r.headers['x-api-key']).toBe(API_KEY);
    }
    expect(server.remaining(key)).toBe(0);
  });

  it('ends fast with an error result on an HTTP 400', async () => {
    const key = '[script:http-400]';
    server.script(
      key,
      [
        {
          kind: 'http_error',
          status: 400,
          errorType: 'invalid_request_error',
          message: 'scripted bad request',
        },
      ],
      { repeatLast: true },
    );

    const run = await runAgent(`${key} Say hi.`);

    expect(run.result).toMatchObject({
      is_error: true,
      terminal_reason: 'api_error',
      api_error_status: 400,
      result: 'API Error: 400 scripted bad request',
    });
    expect(String(run.error)).toContain('scripted bad request');
    expect(assistants(run).at(-1)?.message.model).toBe('<synthetic>');
    // Re-sent twice at once with fewer beta headers; no backoff.
    expect(requestsFor(key)).toHaveLength(3);
    expect(run.durationMs).toBeLessThan(15_000);
  });

  it('books a reply from another model under the request model', async () => {
    const key = '[script:two-models]';
    server.script(key, [
      {
        model: 'claude-haiku-4-5',
        content: [{ type: 'tool_use', name: 'Bash', input: { command: 'echo from-haiku' } }],
        usage: usage1,
      },
      { content: [{ type: 'text', text: 'done' }], usage: usage2 },
    ]);

    const run = await runAgent(`${key} Run a command.`);
    expect(run.result).toMatchObject({ subtype: 'success', is_error: false, num_turns: 2 });

    const models = assistants(run).map((m) => m.message.model);
    expect(models).toEqual(['claude-haiku-4-5', MODEL]);
    // Measured: no separate claude-haiku-4-5 entry; both calls are summed under the request model.
    expect(Object.keys(run.result?.modelUsage ?? {})).toEqual([MODEL]);
    expect(run.result?.modelUsage[MODEL]).toMatchObject({ inputTokens: 2600, outputTokens: 52 });
  });

  it('reports a 429 retry with its delay and then succeeds', async () => {
    const key = '[script:http-429]';
    server.script(key, [
      {
        kind: 'http_error',
        status: 429,
        errorType: 'rate_limit_error',
        message: 'slow down',
        headers: { 'retry-after': '1' },
      },
      { content: [{ type: 'text', text: 'after the retry' }], usage: usage2 },
    ]);

    const run = await runAgent(`${key} Say hi.`, { CLAUDE_CODE_MAX_RETRIES: '1' });

    const retries = run.messages.filter((m) => m.type === 'system' && m.subtype === 'api_retry');
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ attempt: 1, max_retries: 1, error_status: 429, error: 'rate_limit' });
    const delay =
      retries[0]?.type === 'system' && retries[0].subtype === 'api_retry' ? retries[0].retry_delay_ms : 0;
    expect(delay).toBeGreaterThanOrEqual(1000);
    expect(delay).toBeLessThan(2000);
    expect(run.result).toMatchObject({ is_error: false, result: 'after the retry' });
    expect(requestsFor(key)).toHaveLength(2);
  });
});

describe('scripted model server over plain HTTP', () => {
  const post = (pathname: string, body: unknown) =>
    fetch(`${server.url}${pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('answers a non-streaming request with a full Message', async () => {
    const key = '[script:plain-json]';
    server.script(key, [
      {
        content: [
          { type: 'thinking', thinking: 'hmm' },
          { type: 'text', text: 'calling a tool' },
          { type: 'tool_use', name: 'Bash', input: { command: 'ls' } },
        ],
        usage: usage1,
      },
    ]);

    const res = await post('/v1/messages', {
      model: 'claude-opus-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: `${key} hello` }],
    });

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const message: unknown = await res.json();
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-opus-4-5',
      stop_reason: 'tool_use',
      stop_sequence: null,
      content: [
        { type: 'thinking', thinking: 'hmm', signature: expect.any(String) },
        { type: 'text', text: 'calling a tool' },
        { type: 'tool_use', id: expect.stringMatching(/^toolu_/), name: 'Bash', input: { command: 'ls' } },
      ],
      usage: {
        input_tokens: 1200,
        output_tokens: 40,
        cache_read_input_tokens: 300,
        cache_creation_input_tokens: 100,
      },
    });
    expect(message).toHaveProperty('id', expect.stringMatching(/^msg_scripted_/));
    expect(server.requests.at(-1)).toMatchObject({ key, stream: false, model: 'claude-opus-4-5' });
  });

  it('streams the real SSE event sequence', async () => {
    const key = '[script:plain-sse]';
    server.script(key, [{ content: [{ type: 'text', text: 'hi' }], usage: usage2 }]);

    const res = await post('/v1/messages?beta=true', {
      model: MODEL,
      stream: true,
      system: [{ type: 'text', text: `routing ${key}` }],
      messages: [{ role: 'user', content: 'hello' }],
    });

    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = (await res.text())
      .split('\n\n')
      .filter((frame) => frame !== '')
      .map((frame) => {
        const [eventLine, dataLine] = frame.split('\n');
        return {
          event: eventLine?.replace('event: ', ''),
          data: JSON.parse(dataLine?.replace('data: ', '') ?? ''),
        };
      });
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    for (const e of events) expect(e.data.type).toBe(e.event);
    expect(events[0]?.data.message.usage).toMatchObject({ input_tokens: 1400, output_tokens: 1 });
    expect(events[4]?.data).toMatchObject({
      delta: { stop_reason: 'end_turn' },
      usage: { output_tokens: 12 },
    });
  });

  it('answers 400 when no script matches or a script is used up, and serves repeatLast forever', async () => {
    const key = '[script:plain-repeat]';
    server.script(key, [{ content: [{ type: 'text', text: 'once' }] }]);
    const body = { model: MODEL, messages: [{ role: 'user', content: `${key} hi` }] };

    expect((await post('/v1/messages', body)).status).toBe(200);
    expect(server.remaining(key)).toBe(0);
    const exhausted = await post('/v1/messages', body);
    expect(exhausted.status).toBe(400);
    expect(await exhausted.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining(key) },
    });
    const unmatched = await post('/v1/messages', {
      model: MODEL,
      messages: [{ role: 'user', content: 'no key' }],
    });
    expect(unmatched.status).toBe(400);

    server.script(key, [{ content: [{ type: 'text', text: 'again' }] }], { repeatLast: true });
    for (let i = 0; i < 3; i++) expect((await post('/v1/messages', body)).status).toBe(200);
  });

  it('ends a marked answer with a marker unique to it, recorded with its script', async () => {
    const key = '[script:plain-marked]';
    server.script(key, [{ content: [{ type: 'text', text: 'found it' }], mark: true }], { repeatLast: true });
    const body = { model: MODEL, messages: [{ role: 'user', content: key }] };
    const texts: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      const answer = (await (await post('/v1/messages', body)).json()) as { content: { text: string }[] };
      texts.push(answer.content[0]?.text);
    }

    const markers = server.markersOf(key);
    expect(markers).toHaveLength(2);
    expect(new Set(markers).size).toBe(2);
    expect(texts).toEqual(markers.map((marker) => `found it ${marker}`));
  });

  it('answers count_tokens, 404 elsewhere, and scripted HTTP errors with their headers', async () => {
    const counted = await post('/v1/messages/count_tokens', { model: MODEL, messages: [] });
    expect(await counted.json()).toEqual({ input_tokens: expect.any(Number) });
    expect((await fetch(`${server.url}/v1/models`)).status).toBe(404);

    const key = '[script:plain-529]';
    server.script(key, [
      {
        kind: 'http_error',
        status: 529,
        errorType: 'overloaded_error',
        message: 'busy',
        headers: { 'retry-after': '7' },
      },
    ]);
    const res = await post('/v1/messages', { model: MODEL, messages: [{ role: 'user', content: key }] });
    expect(res.status).toBe(529);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'busy' } });
  });

  it('close() ends a hanging request', async () => {
    const own = await startScriptedModelServer();
    try {
      own.script('[script:hang]', [{ kind: 'hang' }]);
      const pending = fetch(`${own.url}/v1/messages`, {
        method: 'POST',
        body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: '[script:hang]' }] }),
      }).then(
        () => 'answered',
        () => 'failed',
      );
      await expect.poll(() => own.requests.length).toBe(1);
      await own.close();
      expect(await pending).toBe('failed');
    } finally {
      await own.close();
    }
  });
});
