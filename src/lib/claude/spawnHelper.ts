import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { SpawnedProcess, SpawnOptions } from '@anthropic-ai/claude-agent-sdk';
import { EXECUTION_ENV_MARKER, INSTANCE_ENV_MARKER } from './client';

// Claude Code's processes are started by a small helper process, not by the server: a spawn forks
// the process that calls it, page tables and all, on its event loop, which stalls a server holding
// a few hundred MiB for 10–60 ms per run start (docs/benchmarks.md, "spawnBlock"). The helper is a
// few MiB. The child's stdio are Unix sockets the helper connects to this process, each tagged with
// a random token and acknowledged before the child gets it, and closed in the helper before it says
// "spawned": the child then reads and writes the server's sockets directly, with no hop between.

/**
 * The helper: connects the three tagged sockets, starts the child on them, reports pid and exit.
 * Once told `alive` (see `stopAgentsWhenSilent`), it also kills every child's process group, and
 * every process carrying its markers, if this process then goes silent for `silentMs`.
 */
const HELPER_SOURCE = `
const fs = require('node:fs');
const net = require('node:net');
const { spawn } = require('node:child_process');
const tagged = (socketPath, tag) => new Promise((resolve, reject) => {
  const socket = net.connect(socketPath);
  socket.once('error', reject);
  socket.once('connect', () => socket.write(tag + '\\n'));
  socket.once('data', () => { socket.pause(); resolve(socket); });
});
const running = new Map();
let watch;
const kill = (pid) => { try { process.kill(pid, 'SIGKILL'); } catch {} };
const marked = (marks) => fs.readdirSync('/proc').filter((pid) => {
  try {
    const environ = fs.readFileSync('/proc/' + pid + '/environ', 'latin1') + '\\0';
    return marks.every((mark) => environ.includes(mark + '\\0'));
  } catch { return false; }
});
setInterval(() => {
  if (!watch || running.size === 0 || Date.now() - watch.last <= watch.silentMs) return;
  for (const { pid, marks } of running.values()) {
    kill(-pid);
    if (marks.length > 0) for (const other of marked(marks)) kill(Number(other));
  }
  process.send({ type: 'silenced', ids: [...running.keys()], silentMs: watch.silentMs });
  watch.last = Date.now();
}, 250).unref();
process.on('disconnect', () => process.exit(0));
process.on('message', async (m) => {
  if (m.type === 'alive') {
    watch = m.silentMs === null ? undefined : { silentMs: m.silentMs, last: Date.now() };
    return;
  }
  const sockets = [];
  try {
    for (const stream of ['in', 'out', 'err']) sockets.push(await tagged(m.socketPath, m.token + ':' + stream));
    const child = spawn(m.command, m.args, { cwd: m.cwd, env: m.env, stdio: sockets, detached: true });
    child.once('error', (e) => process.send({ type: 'error', id: m.id, message: e.message, code: e.code }));
    for (const socket of sockets) socket.destroy();
    if (child.pid === undefined) return;
    running.set(m.id, { pid: child.pid, marks: m.marks });
    process.send({ type: 'spawned', id: m.id, pid: child.pid });
    child.once('exit', (code, signal) => {
      running.delete(m.id);
      process.send({ type: 'exit', id: m.id, code, signal });
    });
  } catch (e) {
    for (const socket of sockets) socket.destroy();
    process.send({ type: 'error', id: m.id, message: String(e && e.message), code: e && e.code });
  }
});
`;

type HelperMessage =
  | { type: 'spawned'; id: number; pid: number }
  | { type: 'silenced'; ids: number[]; silentMs: number }
  | { type: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null }
  | { type: 'error'; id: number; message: string; code?: string };

type Stream = 'in' | 'out' | 'err';

/** How often (at most) this process tells a watching helper it is alive: four times per silence allowed. */
const ALIVE_INTERVAL_MS = 1_000;

/** How long an exit waits for the rest of the child's output. */
const EXIT_GRACE_MS = 1_000;

/** A child started through the helper, as the SDK's `spawnClaudeCodeProcess` hook returns it. */
export class HelperChild extends EventEmitter implements SpawnedProcess {
  readonly stdin = new PassThrough();
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  pid: number | undefined;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  killed = false;
  private pendingSignal: NodeJS.Signals | undefined;
  private input: net.Socket | undefined;
  /** Of stdout and stderr, how many ended. */
  private outputsEnded = 0;
  private exitEmitted = false;
  private exitStatus: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    this.killed = true;
    if (this.pid === undefined) {
      this.pendingSignal = signal;
      return true;
    }
    try {
      return process.kill(this.pid, signal);
    } catch {
      return false;
    }
  }

  /**
   * A socket of the child's arrived: its output feeds `stdout` and `stderr`; its input is fed from
   * `stdin` once the child runs (before, the helper still holds the socket and could read it).
   */
  attach(stream: Stream, socket: net.Socket): void {
    socket.on('error', () => socket.destroy());
    if (stream === 'in') this.input = socket;
    else {
      socket.pipe(stream === 'out' ? this.stdout : this.stderr);
      socket.once('end', () => this.outputEnded());
      socket.resume();
    }
  }

  spawned(pid: number): void {
    this.pid = pid;
    if (this.input) this.stdin.pipe(this.input);
    this.emit('spawn', pid);
    if (this.pendingSignal) this.kill(this.pendingSignal);
  }

  /**
   * The process exited: told once its stdout and stderr are read to the end, so the SDK reads the
   * last of them, or after a grace (a process it started may hold them), as the SDK's spawn does.
   */
  exited(code: number | null, signal: NodeJS.Signals | null): void {
    this.exitStatus = { code, signal };
    if (this.outputsEnded === 2) this.emitExit();
    else setTimeout(() => this.emitExit(), EXIT_GRACE_MS).unref();
  }

  /** It could not start (or the helper died first): an 'error' for whoever listens, then the exit. */
  failed(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
    for (const stream of [this.stdout, this.stderr]) stream.end();
    this.outputsEnded = 2;
    this.exited(null, null);
  }

  private outputEnded(): void {
    this.outputsEnded += 1;
    if (this.outputsEnded === 2 && this.exitStatus) this.emitExit();
  }

  private emitExit(): void {
    const status = this.exitStatus;
    if (!status || this.exitEmitted) return;
    this.exitEmitted = true;
    this.exitCode = status.code;
    this.signalCode = status.signal;
    this.emit('exit', status.code, status.signal);
  }
}

/**
 * The helper process and the socket server its children's stdio connect to. Started once per
 * process (see `spawnViaHelper`); started again if it dies, its children in flight failing.
 */
class SpawnHelper {
  private readonly children = new Map<number, HelperChild>();
  private readonly tokens = new Map<string, HelperChild>();
  private nextId = 1;
  private readonly socketPath: string;
  private readonly server: net.Server;
  private helper: ChildProcess | undefined;
  private listening: Promise<void>;
  private watch:
    | { silentMs: number; onSilenced: (agents: number) => void; timer: NodeJS.Timeout }
    | undefined;

  constructor() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-spawn-'));
    fs.chmodSync(dir, 0o700);
    this.socketPath = path.join(dir, 's');
    this.server = net.createServer((socket) => this.accept(socket));
    this.server.unref();
    this.listening = new Promise((resolve) => this.server.listen(this.socketPath, resolve));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    this.startHelper();
  }

  spawn({ command, args, cwd, env }: SpawnOptions): HelperChild {
    const child = new HelperChild();
    const id = this.nextId++;
    const token = randomBytes(16).toString('hex');
    this.children.set(id, child);
    this.tokens.set(token, child);
    const helper = this.startHelper();
    // Its children's news keep this process alive while any runs; none does once they are done.
    helper.channel?.ref();
    child.once('exit', () => {
      this.children.delete(id);
      this.tokens.delete(token);
      if (this.children.size === 0) this.helper?.channel?.unref();
    });
    const marks = treeMarks(env);
    void this.listening.then(() =>
      helper.send({ id, token, socketPath: this.socketPath, command, args, cwd, env, marks }, (error) => {
        if (error) child.failed(error);
      }),
    );
    return child;
  }

  /** See `stopAgentsWhenSilent`. */
  watchForSilence(silentMs: number, onSilenced: (agents: number) => void): () => void {
    clearInterval(this.watch?.timer);
    const timer = setInterval(() => this.tellAlive(), Math.min(ALIVE_INTERVAL_MS, silentMs / 4));
    timer.unref();
    this.watch = { silentMs, onSilenced, timer };
    this.tellAlive();
    return () => {
      clearInterval(timer);
      this.watch = undefined;
      this.tellAlive();
    };
  }

  private tellAlive(): void {
    const helper = this.helper;
    if (helper?.connected) helper.send({ type: 'alive', silentMs: this.watch?.silentMs ?? null }, () => {});
  }

  private startHelper(): ChildProcess {
    if (this.helper && this.helper.exitCode === null && this.helper.signalCode === null) return this.helper;
    const helper = spawn(process.execPath, ['-e', HELPER_SOURCE], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    helper.on('message', (message: HelperMessage) => this.heard(message));
    helper.once('exit', () => {
      for (const child of this.children.values())
        if (child.pid === undefined) child.failed(new Error('the spawn helper exited'));
    });
    // It does not keep this process alive by itself (see `spawn`).
    helper.unref();
    helper.channel?.unref();
    this.helper = helper;
    this.tellAlive();
    return helper;
  }

  private heard(message: HelperMessage): void {
    if (message.type === 'silenced') {
      this.watch?.onSilenced(message.ids.length);
      return;
    }
    const child = this.children.get(message.id);
    if (!child) return;
    if (message.type === 'spawned') child.spawned(message.pid);
    else if (message.type === 'exit') child.exited(message.code, message.signal);
    else child.failed(Object.assign(new Error(message.message), { code: message.code }));
  }

  /** A socket from the helper: its first line is `<token>:<stream>`, acknowledged with one byte. */
  private accept(socket: net.Socket): void {
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\n');
      if (end < 0) {
        if (head.length > 64) socket.destroy();
        return;
      }
      socket.off('data', onData);
      socket.pause();
      const [token = '', stream] = head.slice(0, end).split(':');
      const child = this.tokens.get(token);
      if (!child || (stream !== 'in' && stream !== 'out' && stream !== 'err')) {
        socket.destroy();
        return;
      }
      socket.write('k');
      child.attach(stream, socket);
    };
    socket.on('data', onData);
    socket.on('error', () => socket.destroy());
  }
}

/** The environment entries that mark an agent's whole process tree (see agentProcesses.ts). */
function treeMarks(env: SpawnOptions['env']): string[] {
  const execution = env[EXECUTION_ENV_MARKER];
  const instance = env[INSTANCE_ENV_MARKER];
  return execution === undefined || instance === undefined
    ? []
    : [`${EXECUTION_ENV_MARKER}=${execution}`, `${INSTANCE_ENV_MARKER}=${instance}`];
}

let shared: SpawnHelper | undefined;

/** Starts the helper now (at a process's start, while it is small), if it is not yet. */
export function startSpawnHelper(): void {
  shared ??= new SpawnHelper();
}

/**
 * From now on, if this process goes silent for `silentMs` (paused with SIGSTOP, frozen, its event
 * loop stuck) while agents run, the helper, which is not, kills them and their whole trees: a
 * worker on a shared database must not run on past its lease, when another host may take its runs
 * up, and a paused worker cannot stop them itself. `onSilenced` hears it once this process runs
 * again. Returns the function that stops the watch.
 */
export function stopAgentsWhenSilent(silentMs: number, onSilenced: (agents: number) => void): () => void {
  startSpawnHelper();
  return (shared as SpawnHelper).watchForSilence(silentMs, onSilenced);
}

/** Starts `command` through the helper, off this process's event loop. */
export function spawnViaHelper(options: SpawnOptions): HelperChild {
  startSpawnHelper();
  return (shared as SpawnHelper).spawn(options);
}
