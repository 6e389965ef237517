import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { query } from '@anthropic-ai/claude-agent-sdk';
import { chromium } from '@playwright/test';
import WebSocket from 'ws';
import { apiClient } from '../tests/helpers/api';
import { BEARER, startAppServer, TEST_ACCESS_TOKEN, TEST_API_KEY } from '../tests/helpers/appServer';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/helpers/chromium';
import {
  type ScriptedModelServer,
  type ScriptedTurn,
  startScriptedModelServer,
} from '../tests/helpers/scriptedModelServer';
import { ms, percentile, preciseNow } from './stats';

/** Assistant messages per run: one text block each (the SDK yields one message per block). */
const MESSAGES = 200;
const WS_SUBSCRIBERS = 19;
/** Between the model server's SSE events: a block every ~30 ms, like a model streaming short answers. */
const CHUNK_DELAY_MS = 10;
const PROBE = /latency probe [A-Z]\d{4}/;

const probeText = (prefix: string, i: number) => `latency probe ${prefix}${String(i).padStart(4, '0')}`;

function probeTurn(prefix: string, delayMs: number): ScriptedTurn {
  const content = Array.from({ length: MESSAGES }, (_, i) => ({
    type: 'text' as const,
    text: probeText(prefix, i),
  }));
  return { content, delayMs, chunkDelayMs: CHUNK_DELAY_MS };
}

/** Latency per probe from the model server's send to when `seen` saw it. */
function latencies(model: ScriptedModelServer, prefix: string, seen: ReadonlyMap<string, number>): number[] {
  return model.sentTextBlocks
    .filter((block) => block.text.startsWith(`latency probe ${prefix}`))
    .flatMap((block) => {
      const at = seen.get(block.text);
      return at === undefined ? [] : [at - block.sentAt];
    });
}

/** (c) The floor: the same messages delivered to a bare `query()` loop in this process. */
async function measureFloor(model: ScriptedModelServer): Promise<number[]> {
  const key = '[bench:live-floor]';
  model.script(key, [probeTurn('F', 0)]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-bench-floor-'));
  const seen = new Map<string, number>();
  const messages = query({
    prompt: `Answer ${key}`,
    options: {
      model: 'claude-sonnet-4-5',
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: dir,
        TMPDIR: dir,
        CLAUDE_CONFIG_DIR: dir,
        ANTHROPIC_API_KEY: TEST_API_KEY,
        ANTHROPIC_BASE_URL: model.url,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_TELEMETRY: '1',
        DISABLE_AUTOUPDATER: '1',
      },
      permissionMode: 'dontAsk',
      tools: [],
      includePartialMessages: true,
      persistSession: false,
      settingSources: [],
    },
  });
  for await (const message of messages) {
    if (message.type !== 'assistant') continue;
    for (const block of message.message.content)
      if (block.type === 'text') seen.set(block.text, preciseNow());
  }
  return latencies(model, 'F', seen);
}

/** A WebSocket subscriber that notes when each probe line's frame arrives. */
function subscribe(url: string, executionId: number, seen: Map<string, number>): Promise<WebSocket> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { headers: BEARER });
  socket.on('message', (data) => {
    const at = preciseNow();
    const frame = JSON.parse(data.toString()) as { type: string; logs?: { text: string }[] };
    if (frame.type !== 'execution.events') return;
    for (const log of frame.logs ?? [])
      if (PROBE.test(log.text) && !seen.has(log.text)) seen.set(log.text, at);
  });
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.send(JSON.stringify({ type: 'subscribe', topic: 'execution', executionId, afterSeq: 0 }));
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Records, in the page, when each probe line first appears in the DOM. */
function watchDom(): void {
  const seen: Record<string, number> = {};
  (window as unknown as { probesSeen: Record<string, number> }).probesSeen = seen;
  new MutationObserver((mutations) => {
    const at = performance.timeOrigin + performance.now();
    for (const mutation of mutations) {
      for (const node of mutation.addedNodes) {
        for (const match of node.textContent?.match(/latency probe [A-Z]\d{4}/g) ?? []) seen[match] ??= at;
      }
    }
  }).observe(document.body, { childList: true, subtree: true });
}

interface ClaudeOpsLatencies {
  subscriber: number[];
  dom: number[];
}

/** (a) and (b): a run through ClaudeOps, watched by 19 sockets and one Chromium tab. */
async function measureClaudeOps(model: ScriptedModelServer): Promise<ClaudeOpsLatencies> {
  const key = '[bench:live-claudeops]';
  // The first response waits, so the tab and the sockets are subscribed before lines flow.
  model.script(key, [probeTurn('C', 6_000)]);
  const app = await startAppServer({ modelServerUrl: model.url });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const api = apiClient(app.url);
    const agent = await api.createAgent({ defaultPrompt: `Answer ${key}`, allowedTools: [] });
    const id = await api.startExecution(agent.id);
    const socketSeen = Array.from({ length: WS_SUBSCRIBERS }, () => new Map<string, number>());
    const sockets = await Promise.all(socketSeen.map((seen) => subscribe(app.url, id, seen)));
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    await page.goto(`${app.url}/signin?token=${TEST_ACCESS_TOKEN}`);
    await page.waitForURL(`${app.url}/`);
    await page.goto(`${app.url}/executions/${id}`);
    await page.evaluate(watchDom);
    await api.waitForEnd(id, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const domSeen = await page.evaluate(
      () => (window as unknown as { probesSeen: Record<string, number> }).probesSeen,
    );
    for (const socket of sockets) socket.close();
    return {
      subscriber: socketSeen.flatMap((seen) => latencies(model, 'C', seen)),
      dom: latencies(model, 'C', new Map(Object.entries(domSeen))),
    };
  } finally {
    await browser.close();
    await app.stop();
  }
}

function line(label: string, samples: number[], floorP50: number | null): string {
  const p50 = percentile(samples, 50);
  const over = floorP50 === null ? '' : `   floor + ${ms(p50 - floorP50)}`;
  return `  ${label.padEnd(52)} p50 ${ms(p50).padStart(9)}   p99 ${ms(percentile(samples, 99)).padStart(9)}   n=${samples.length}${over}`;
}

/** From the model server's send of an assistant message to (a) a subscriber's frame, (b) the DOM, (c) a bare SDK loop. */
export async function benchLivePath(): Promise<void> {
  const model = await startScriptedModelServer();
  try {
    const floor = await measureFloor(model);
    const { subscriber, dom } = await measureClaudeOps(model);
    const floorP50 = percentile(floor, 50);
    console.log(
      `Live path: the model server sends ${MESSAGES} assistant messages, one every ~${3 * CHUNK_DELAY_MS} ms`,
    );
    console.log(line('(c) a bare SDK query() loop (the floor)', floor, null));
    console.log(
      line(`(a) the frame at a WebSocket subscriber (${WS_SUBSCRIBERS} of them)`, subscriber, floorP50),
    );
    console.log(line('(b) the line in the DOM of a Chromium tab', dom, floorP50));
    console.log('  targets: (a) p50 ≤ floor + 5 ms; (b) p50 ≤ floor + 20 ms and p99 ≤ 100 ms\n');
  } finally {
    await model.close();
  }
}
