import { EXECUTION_ENV_MARKER, INSTANCE_ENV_MARKER } from '../claude/client';
import type { RunResourceSummary } from '../contracts/runResources';
import type { Logger } from '../core/logger';
import { transaction } from '../db/plan';
import { type RunResourceRecord, recordRunResources } from '../db/queries/runResources';
import type { Store } from '../db/store';
import {
  type ProcessStat,
  readEnviron,
  readSystemUnits,
  type SystemUnits,
  scanProcesses,
} from './processTable';

export interface RunResourceSamplerOptions {
  store: Store;
  logger: Logger;
  /** This server's database path: the CLAUDEOPS_INSTANCE marker its agent processes carry. */
  instance: string;
  /** Between two samples of every tracked run (default 2 s). */
  intervalMs?: number;
  procRoot?: string;
  /** After each tick's records are stored: to show them live. */
  onRecorded?: (records: readonly RunResourceRecord[]) => void;
}

/** A process of a run as last seen: its CPU ticks so far and its parent then. */
interface SeenProcess {
  cpuTicks: number;
  parentKey: string;
}

interface TrackedRun {
  executionId: number;
  rootPid: number;
  lastSampleAt: number;
  seen: Map<string, SeenProcess>;
  summary: RunResourceSummary;
  samples: number;
}

/** The shortest window a CPU share is computed over: 25 clock ticks at 100 Hz, ±4%. */
const MIN_WINDOW_MS = 250;

/** pid plus start time: a pid the kernel hands out again is another process. */
const keyOf = (stat: ProcessStat) => `${stat.pid}:${stat.startTicks}`;

/** The execution an environment marks as this server's agent process; undefined for any other process. */
export function markedExecution(environ: string, instance: string): number | undefined {
  const variables = environ.split('\0');
  if (!variables.includes(`${INSTANCE_ENV_MARKER}=${instance}`)) return undefined;
  const marker = variables.find((variable) => variable.startsWith(`${EXECUTION_ENV_MARKER}=`));
  const id = Number(marker?.slice(EXECUTION_ENV_MARKER.length + 1));
  return Number.isInteger(id) && id > 0 ? id : undefined;
}

/**
 * Samples what each run's process tree uses while it lives: the Claude Code process, the commands
 * its tools start and their children, plus processes that left the tree (setsid, double fork) but
 * carry the run's environment marker. One /proc scan per tick serves every run; a process's
 * environment is read once, when it is first seen. Idle (no /proc reads) while nothing is tracked.
 */
export class RunResourceSampler {
  private readonly store: Store;
  private readonly logger: Logger;
  private readonly instance: string;
  private readonly intervalMs: number;
  private readonly procRoot: string;
  private readonly onRecorded: (records: readonly RunResourceRecord[]) => void;
  private readonly units: SystemUnits;
  private readonly runs = new Map<number, TrackedRun>();
  /** The execution each live process's marker names (null: none), read once per process. */
  private readonly markers = new Map<string, number | null>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(options: RunResourceSamplerOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.instance = options.instance;
    this.intervalMs = options.intervalMs ?? 2_000;
    this.procRoot = options.procRoot ?? '/proc';
    this.onRecorded = options.onRecorded ?? (() => {});
    this.units = readSystemUnits();
  }

  /** Starts sampling a run whose agent process just spawned. */
  track(executionId: number, rootPid: number): void {
    this.runs.set(executionId, {
      executionId,
      rootPid,
      lastSampleAt: Date.now(),
      seen: new Map(),
      summary: { cpuSeconds: 0, peakRssBytes: 0, peakProcessCount: 0 },
      samples: 0,
    });
    if (!this.timer) {
      this.timer = setInterval(() => {
        this.inFlight ??= this.sample().finally(() => {
          this.inFlight = undefined;
        });
      }, this.intervalMs);
      this.timer.unref();
    }
  }

  /**
   * Stops sampling a run (its agent process exited). Returns its summary, already stored on the
   * execution; undefined when it was not tracked or ended before its first sample.
   */
  untrack(executionId: number): RunResourceSummary | undefined {
    const run = this.runs.get(executionId);
    this.runs.delete(executionId);
    if (this.runs.size === 0) this.pause();
    return run && run.samples > 0 ? { ...run.summary } : undefined;
  }

  /** Stops every run's sampling; resolves once a tick under way has been stored. */
  async stop(): Promise<void> {
    this.runs.clear();
    this.pause();
    await this.inFlight;
  }

  /** One tick: scans /proc once and stores a sample for every tracked run (the timer's job). */
  async sample(): Promise<void> {
    if (this.runs.size === 0) return;
    try {
      const processes = await scanProcesses(this.procRoot);
      const now = Date.now();
      const scan: Scan = {
        processes,
        children: childrenOf(processes),
        alive: new Set([...processes.values()].map(keyOf)),
        markedBy: await this.readMarkers(processes),
      };
      const records: RunResourceRecord[] = [];
      for (const run of this.runs.values()) {
        // A run tracked just before this tick waits for the next: a few ms of 10 ms clock ticks says nothing.
        if (now - run.lastSampleAt < MIN_WINDOW_MS) continue;
        records.push(this.measure(run, runMembers(run, scan), scan, now));
      }
      if (records.length === 0) return;
      await transaction(this.store, (tx) => recordRunResources(tx, records));
      this.onRecorded(records);
    } catch (error) {
      this.logger.warn({ err: error }, 'run resources: sampling failed');
    }
  }

  private pause(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads the environment of processes not seen before; returns the marked processes by execution. */
  private async readMarkers(processes: Map<number, ProcessStat>): Promise<Map<number, ProcessStat[]>> {
    const live = new Set<string>();
    const fresh: ProcessStat[] = [];
    for (const stat of processes.values()) {
      const key = keyOf(stat);
      live.add(key);
      if (!this.markers.has(key)) fresh.push(stat);
    }
    for (const key of this.markers.keys()) if (!live.has(key)) this.markers.delete(key);
    await Promise.all(
      fresh.map(async (stat) => {
        const environ = await readEnviron(stat.pid, this.procRoot);
        this.markers.set(
          keyOf(stat),
          environ === undefined ? null : (markedExecution(environ, this.instance) ?? null),
        );
      }),
    );
    const markedBy = new Map<number, ProcessStat[]>();
    for (const stat of processes.values()) {
      const executionId = this.markers.get(keyOf(stat));
      if (executionId === null || executionId === undefined) continue;
      const marked = markedBy.get(executionId);
      if (marked) marked.push(stat);
      else markedBy.set(executionId, [stat]);
    }
    return markedBy;
  }

  /**
   * CPU used since the last sample, from the members' cumulative CPU ticks. A process first seen
   * counts whole (it started during the run). One that exited and was reaped by a process still
   * in the run moved its ticks into that parent's cutime/cstime: its last figure is taken back
   * out, so nothing counts twice. One reaped outside the run keeps what was counted.
   */
  private measure(
    run: TrackedRun,
    members: Map<string, ProcessStat>,
    scan: Scan,
    now: number,
  ): RunResourceRecord {
    const parentKeyOf = (stat: ProcessStat) => {
      const parent = scan.processes.get(stat.ppid);
      return parent ? keyOf(parent) : '';
    };
    let ticks = 0;
    let rssPages = 0;
    let processCount = 0;
    const seen = new Map<string, SeenProcess>();
    for (const [key, stat] of members) {
      ticks += stat.cpuTicks - (run.seen.get(key)?.cpuTicks ?? 0);
      rssPages += stat.rssPages;
      if (stat.state !== 'Z') processCount++;
      seen.set(key, { cpuTicks: stat.cpuTicks, parentKey: parentKeyOf(stat) });
    }
    for (const [key, before] of run.seen)
      if (!members.has(key) && !scan.alive.has(key) && members.has(before.parentKey))
        ticks -= before.cpuTicks;

    const cpuSeconds = Math.max(0, ticks) / this.units.clockTicksPerSecond;
    const sample = {
      t: now,
      cpuPercent: (cpuSeconds / ((now - run.lastSampleAt) / 1000)) * 100,
      rssBytes: rssPages * this.units.pageSizeBytes,
      processCount,
    };
    run.seen = seen;
    run.lastSampleAt = now;
    run.samples++;
    run.summary = {
      cpuSeconds: run.summary.cpuSeconds + cpuSeconds,
      peakRssBytes: Math.max(run.summary.peakRssBytes, sample.rssBytes),
      peakProcessCount: Math.max(run.summary.peakProcessCount, processCount),
    };
    return { executionId: run.executionId, sample, summary: run.summary };
  }
}

/** One /proc scan, shared by every tracked run. */
interface Scan {
  processes: Map<number, ProcessStat>;
  children: Map<number, number[]>;
  alive: Set<string>;
  markedBy: Map<number, ProcessStat[]>;
}

function childrenOf(processes: Map<number, ProcessStat>): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const stat of processes.values()) {
    const siblings = children.get(stat.ppid);
    if (siblings) siblings.push(stat.pid);
    else children.set(stat.ppid, [stat.pid]);
  }
  return children;
}

/** The root's descendants plus the processes carrying the run's marker. */
function runMembers(run: TrackedRun, scan: Scan): Map<string, ProcessStat> {
  const members = new Map<string, ProcessStat>();
  const stack = [run.rootPid];
  for (let pid = stack.pop(); pid !== undefined; pid = stack.pop()) {
    const stat = scan.processes.get(pid);
    if (!stat || members.has(keyOf(stat))) continue;
    members.set(keyOf(stat), stat);
    stack.push(...(scan.children.get(pid) ?? []));
  }
  for (const stat of scan.markedBy.get(run.executionId) ?? []) members.set(keyOf(stat), stat);
  return members;
}
