// Where a probe line spends its time, measured without touching ClaudeOps' code: preloaded into the
// server by the live benchmark (`node --import`), and imported by the benchmark for its own bare
// `query()` loops. It notes when the agent process's stdout line carrying each probe arrives and,
// in the server, when the first WebSocket frame carrying it is handed to a socket, plus the event
// loop's delay over a window the benchmark opens and closes with SIGUSR2 (the second signal writes
// it all to BENCH_PROBE_FILE).
import childProcess from 'node:child_process';
import fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const PROBE = /latency probe ([a-z]{2}[A-Z]\d{4})( @\d{13,})?/g;
const now = () => performance.timeOrigin + performance.now();

/** Probe id → when the stdout line of the assistant or user message carrying it arrived. */
export const stdoutSeen = new Map();
/** Probe id → when the first WebSocket frame carrying it was handed to a socket. */
export const framesSent = new Map();
/** Frames handed to sockets by type: how many, and their bytes. */
const frameCounts = {};

function noteProbes(text, at, into) {
  for (const match of text.matchAll(PROBE)) {
    const id = match[1];
    // A Bash call's command line shows a stamped probe before it ran: only its output counts.
    if (id[2] === 'R' && match[2] === undefined) continue;
    if (!into.has(id)) into.set(id, at);
  }
}

function noteStdoutLine(line, at) {
  if (!line.includes('latency probe')) return;
  // The message itself, not the stream events that carried its text in pieces before it.
  const type = /^\{"type":"(\w+)"/.exec(line)?.[1] ?? JSON.parse(line).type;
  if (type === 'assistant' || type === 'user') noteProbes(line, at, stdoutSeen);
}

/** Notes the probes of every stream-json line `readable` carries, beside its own reader. */
function tapLines(readable) {
  let partial = '';
  readable.on('data', (chunk) => {
    const at = now();
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) noteStdoutLine(line, at);
  });
}

/**
 * Taps the stdout of every Claude Code process spawned from now on (beside the SDK's own reader):
 * spawned here (the bench's bare loops), or by the server's spawn helper, whose children write to
 * sockets the server accepts (src/lib/claude/spawnHelper.ts).
 */
export function tapAgentStdout() {
  const createServer = net.createServer;
  net.createServer = function tappedCreateServer(...args) {
    const server = createServer.apply(this, args);
    server.on('connection', tapLines);
    return server;
  };
  const spawn = childProcess.spawn;
  childProcess.spawn = function tappedSpawn(...args) {
    const child = spawn.apply(this, args);
    if (Array.isArray(args[1]) && args[1].includes('stream-json') && child.stdout) tapLines(child.stdout);
    return child;
  };
  syncBuiltinESMExports();
}

function tapWebSocketSends() {
  const { WebSocket } = createRequire(`${process.cwd()}/`)('ws');
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function tappedSend(data, ...rest) {
    // The server sends strings or, a frame for many sockets, its UTF-8 bytes.
    if (typeof data === 'string' || Buffer.isBuffer(data)) {
      const head = typeof data === 'string' ? data.slice(0, 40) : data.toString('utf8', 0, 40);
      const type = /^\{"type":"([\w.]+)"/.exec(head)?.[1] ?? 'other';
      frameCounts[type] ??= { frames: 0, bytes: 0 };
      frameCounts[type].frames += 1;
      frameCounts[type].bytes += data.length;
      if (data.includes('latency probe')) noteProbes(data.toString(), now(), framesSent);
    }
    return send.call(this, data, ...rest);
  };
}

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  tapAgentStdout();
  tapWebSocketSends();
  const RESOLUTION_MS = 2;
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  let open = false;
  let cpuAtOpen = process.cpuUsage();
  process.on('SIGUSR2', () => {
    if (!open) {
      histogram.reset();
      histogram.enable();
      cpuAtOpen = process.cpuUsage();
      for (const type of Object.keys(frameCounts)) delete frameCounts[type];
      open = true;
      return;
    }
    const cpu = process.cpuUsage(cpuAtOpen);
    histogram.disable();
    open = false;
    // The histogram holds the intervals between the sampling timer's runs: the delay is what
    // exceeds its period.
    const ms = (ns) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
    const figures = {
      loop: { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) },
      cpuMs: (cpu.user + cpu.system) / 1e3,
      frames: frameCounts,
      stdoutSeen: Object.fromEntries(stdoutSeen),
      framesSent: Object.fromEntries(framesSent),
    };
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(figures));
    fs.renameSync(`${file}.tmp`, file);
  });
}
