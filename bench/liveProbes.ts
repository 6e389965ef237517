import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Options, query } from '@anthropic-ai/claude-agent-sdk';
import WebSocket from 'ws';
import { isActiveStatus } from '../src/lib/contracts/executions';
import type { ServerFrame } from '../src/lib/websocket/protocol';
import { BEARER, TEST_API_KEY } from '../tests/helpers/appServer';
import type { ScriptedModelServer } from '../tests/helpers/scriptedModelServer';
import { ms, percentile, preciseNow } from './stats';

/**
 * Probes: lines whose send time is known, so their arrival anywhere gives a latency. A probe's id
 * is a run tag (two lower-case letters), a kind (one capital) and a number: `latency probe waB0003`.
 * A text probe's send time is the model server's send of its text block; a tool-output probe
 * (`… @<ns since the epoch>`) carries the time its command printed it.
 */
const PROBE = /latency probe ([a-z]{2}[A-Z]\d{4})(?: @(\d{13,}))?/;
const PROBES = new RegExp(PROBE.source, 'g');

export const probeText = (run: string, kind: string, i: number) =>
  `latency probe ${run}${kind}${String(i).padStart(4, '0')}`;

/** A shell command whose output line is a probe stamped with the time it ran. */
export const stampedProbeCommand = (run: string, i: number) =>
  `echo "${probeText(run, 'R', i)} @$(date +%s%N)"`;

/** A promise that resolves when opened: the first model response waits on it until everyone watches. */
export function gate(): { opened: Promise<void>; open(): void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** Probe id → a time (ms since the epoch). */
export type ProbeTimes = ReadonlyMap<string, number>;

/** When each probe was first seen, by probe id, plus the stamp a tool-output probe carried. */
export class ProbeLog {
  readonly seen = new Map<string, number>();
  readonly stamps = new Map<string, number>();

  /** Notes the probe a line carries, if any, as seen at `at`. */
  note(text: string, at: number): void {
    const match = PROBE.exec(text);
    const id = match?.[1];
    if (!id || this.seen.has(id)) return;
    const stamp = match[2];
    // A command line that prints a stamped probe shows its unexpanded `$(date …)`: not the probe.
    if (id[2] === 'R' && stamp === undefined) return;
    this.seen.set(id, at);
    if (stamp !== undefined) this.stamps.set(id, Number(BigInt(stamp) / 1000n) / 1000);
  }
}

/** When each probe was sent: its text block by the model server, or its line by its command. */
export function probeOrigins(model: ScriptedModelServer, logs: readonly ProbeLog[]): ProbeTimes {
  const origins = new Map<string, number>();
  for (const block of model.sentTextBlocks) {
    const id = PROBE.exec(block.text)?.[1];
    if (id) origins.set(id, block.sentAt);
  }
  for (const log of logs) for (const [id, stamp] of log.stamps) origins.set(id, stamp);
  return origins;
}

/** Which probes: those of these runs (tags) and kinds (a string of kind letters). */
export interface ProbeFilter {
  runs: readonly string[];
  kinds: string;
}

/** For every probe of the filter seen at both `from` and `to`: the time between them. */
export function between(from: ProbeTimes, to: ProbeTimes, filter: ProbeFilter): number[] {
  const out: number[] = [];
  for (const [id, at] of to) {
    if (!filter.runs.includes(id.slice(0, 2)) || !filter.kinds.includes(id.charAt(2))) continue;
    const start = from.get(id);
    if (start !== undefined) out.push(at - start);
  }
  return out;
}

/** The environment a bare `query()` loop gives Claude Code: what ClaudeOps gives it, minus its markers. */
export function bareQueryOptions(model: ScriptedModelServer, options: Partial<Options> = {}): Options {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-bench-floor-'));
  return {
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
    ...options,
  };
}

/** The floor: a bare `query()` loop in this process, noting every probe its messages carry. */
export async function bareQueryLoop(prompt: string, options: Options, probes: ProbeLog): Promise<void> {
  for await (const message of query({ prompt, options })) {
    const at = preciseNow();
    if (message.type !== 'assistant' && message.type !== 'user') continue;
    const content = message.message.content;
    if (typeof content === 'string') continue;
    for (const block of content) {
      if (block.type === 'text') probes.note(block.text, at);
      else if (block.type === 'tool_result') {
        const parts = typeof block.content === 'string' ? [block.content] : (block.content ?? []);
        for (const part of parts)
          if (typeof part === 'string') probes.note(part, at);
          else if (part.type === 'text') probes.note(part.text, at);
      }
    }
  }
}

/** Resolves once every one of the runs has ended, as a subscriber hears it; rejects if one failed. */
export function endings(ids: readonly number[]): { onFrame: (frame: string) => void; all: Promise<void> } {
  const pending = new Set(ids);
  let onFrame: (frame: string) => void = () => {};
  const all = new Promise<void>((resolve, reject) => {
    onFrame = (text) => {
      if (!text.startsWith('{"type":"execution.updated"')) return;
      const frame = JSON.parse(text) as Extract<ServerFrame, { type: 'execution.updated' }>;
      const { status, errorMessage } = frame.execution;
      if (isActiveStatus(status)) return;
      if (status !== 'completed')
        reject(new Error(`bench run ${frame.executionId} ended ${status}: ${errorMessage}`));
      pending.delete(frame.executionId);
      if (pending.size === 0) resolve();
    };
  });
  return { onFrame: (text) => onFrame(text), all };
}

/** A WebSocket subscriber to some runs that notes when each probe line's frame arrives. */
export function subscribe(
  url: string,
  executionIds: number[],
  probes: ProbeLog,
  onFrame?: (frame: string) => void,
): Promise<WebSocket> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { headers: BEARER });
  socket.on('message', (data) => {
    const at = preciseNow();
    const text = data.toString();
    // Read without parsing: with 19 sockets in this process, each one's parse delays the next one's stamp.
    if (text.startsWith('{"type":"execution.events"'))
      for (const [line] of text.matchAll(PROBES)) probes.note(line, at);
    onFrame?.(text);
  });
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      for (const executionId of executionIds)
        socket.send(JSON.stringify({ type: 'subscribe', topic: 'execution', executionId, afterSeq: 0 }));
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * Runs in the page: records in `window.probesSeen` when each probe first shows in a log line's
 * text (`data-testid="log-text"`), however the log viewer renders it (new rows, reused rows, text
 * changed in place). Source text, not a function: tsx would wrap its inner functions in a helper
 * the page does not have.
 */
export const WATCH_DOM_PROBES = `(() => {
  const seen = {};
  window.probesSeen = seen;
  const selector = '[data-testid="log-text"]';
  const note = (text, at) => {
    for (const match of (text ?? '').match(/latency probe [a-z]{2}[A-Z]\\d{4}(?: @\\d{13,})?/g) ?? [])
      seen[match] ??= at;
  };
  const visit = (node, at) => {
    if (node instanceof Element) {
      if (node.matches(selector)) note(node.textContent, at);
      else for (const text of node.querySelectorAll(selector)) note(text.textContent, at);
    } else if (node.parentElement?.closest(selector)) note(node.textContent, at);
  };
  new MutationObserver((mutations) => {
    const at = performance.timeOrigin + performance.now();
    for (const mutation of mutations) {
      if (mutation.type === 'characterData') visit(mutation.target, at);
      for (const node of mutation.addedNodes) visit(node, at);
    }
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
})()`;

/** What `watchDomProbes` saw, as a probe log. */
export function domProbeLog(seen: Record<string, number>): ProbeLog {
  const probes = new ProbeLog();
  for (const [text, at] of Object.entries(seen)) probes.note(text, at);
  return probes;
}

/** One report line: p50, p99, count, and the p50 above the floor's. */
export function latencyLine(label: string, samples: number[], floorP50: number | null): string {
  const p50 = percentile(samples, 50);
  const over = floorP50 === null ? '' : `   floor + ${ms(p50 - floorP50)}`;
  return `  ${label.padEnd(52)} p50 ${ms(p50).padStart(9)}   p99 ${ms(percentile(samples, 99)).padStart(9)}   n=${samples.length}${over}`;
}
