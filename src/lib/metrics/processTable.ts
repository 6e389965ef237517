import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Pause, yieldToEventLoop } from './eventLoop';

/** The fields of /proc/<pid>/stat the run sampler uses (proc(5) numbers them from 1). */
export interface ProcessStat {
  pid: number;
  /** Field 4. */
  ppid: number;
  /** Field 3: R, S, D, Z (zombie: exited, not yet reaped)… */
  state: string;
  /** utime + stime + cutime + cstime (fields 14–17): its own CPU time and that of children it reaped. */
  cpuTicks: number;
  /** Field 24, in pages. */
  rssPages: number;
  /** Field 22, clock ticks after boot: with the pid, identifies a process across pid reuse. */
  startTicks: number;
}

/** Parses /proc/<pid>/stat. The command name (field 2) may hold spaces and parentheses: fields after it are read from its last ')'. */
export function parseProcessStat(text: string): ProcessStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  // fields[0] is field 3.
  const fields = text.slice(close + 2).split(' ');
  const field = (n: number) => Number(fields[n - 3]);
  const stat = {
    pid: Number(text.slice(0, open)),
    ppid: field(4),
    state: fields[0] ?? '?',
    cpuTicks: field(14) + field(15) + field(16) + field(17),
    rssPages: field(24),
    startTicks: field(22),
  };
  return Number.isFinite(stat.cpuTicks) && Number.isFinite(stat.rssPages) ? stat : undefined;
}

/** A /proc/<pid>/stat line is a few hundred bytes. */
const statBuffer = Buffer.alloc(4096);

function readStat(file: string): ProcessStat | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const length = fs.readSync(fd, statBuffer, 0, statBuffer.length, 0);
    return parseProcessStat(statBuffer.toString('latin1', 0, length));
  } catch {
    return undefined; // exited meanwhile
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Processes read between two yields: about a millisecond of work. */
const SCAN_CHUNK = 64;

/**
 * Every process on the machine, from one pass over /proc. The stat files are read synchronously:
 * the kernel writes them from memory, so a read never waits on a disk, and it costs ~20 µs against
 * ~140 µs through the thread pool and promises. The scan yields every 64 processes, so the event
 * loop never waits on it for more than a millisecond or two.
 */
export async function scanProcesses(
  procRoot = '/proc',
  pause: Pause = yieldToEventLoop,
): Promise<Map<number, ProcessStat>> {
  const pids = (await fs.promises.readdir(procRoot)).filter((entry) => /^\d+$/.test(entry));
  const processes = new Map<number, ProcessStat>();
  for (let start = 0; start < pids.length; start += SCAN_CHUNK) {
    if (start > 0) await pause();
    for (const pid of pids.slice(start, start + SCAN_CHUNK)) {
      const stat = readStat(path.join(procRoot, pid, 'stat'));
      if (stat) processes.set(stat.pid, stat);
    }
  }
  return processes;
}

/** A process's environment as NUL-separated text; undefined when it is gone or not ours to read. */
export function readEnviron(pid: number, procRoot = '/proc'): Promise<string | undefined> {
  return fs.promises.readFile(path.join(procRoot, String(pid), 'environ'), 'latin1').catch(() => undefined);
}

export interface SystemUnits {
  /** USER_HZ: the unit of the CPU times in /proc/<pid>/stat. */
  clockTicksPerSecond: number;
  pageSizeBytes: number;
}

/** Asks getconf once; 100 Hz and 4 KiB where it cannot answer (they are Linux's usual values). */
export function readSystemUnits(): SystemUnits {
  const ask = (name: string, fallback: number) => {
    try {
      const value = Number(execFileSync('getconf', [name], { encoding: 'utf8', timeout: 2_000 }).trim());
      return Number.isInteger(value) && value > 0 ? value : fallback;
    } catch {
      return fallback;
    }
  };
  return { clockTicksPerSecond: ask('CLK_TCK', 100), pageSizeBytes: ask('PAGESIZE', 4096) };
}
