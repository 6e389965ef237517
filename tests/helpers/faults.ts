import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Real storage faults for a test server, made by the kernel, not by a mocked `fs`:
 *
 * - `tmpfs`: the data directory is a small tmpfs mount; the fault is the disk filling up (a filler
 *   file takes what is left: ENOSPC, SQLITE_FULL). Needs mount rights (root, CAP_SYS_ADMIN).
 * - `rlimit`: the server's RLIMIT_FSIZE is lowered while it runs, to just above its files' size
 *   (prlimit --pid): writes past it fail with EFBIG (Node ignores SIGXFSZ), which SQLite reports
 *   as SQLITE_IOERR_WRITE. Works on any Linux box for a process of one's own.
 *
 * A suite runs every injector the machine allows; `rlimit` always.
 */
export type FaultKind = 'tmpfs' | 'rlimit';

export interface StorageFault {
  readonly kind: FaultKind;
  /** Where the server's data directory must be. */
  readonly dataDir: string;
  /** Makes writes fail from now on (the server runs as `pid`). */
  inject(pid: number): void;
  /** Makes writes work again. */
  clear(pid: number): void;
  /** Unmounts and deletes whatever it made; safe to call twice and after a failure. */
  dispose(): void;
}

const tempDir = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

let mountable: boolean | undefined;

/** Whether this machine lets the tests mount a tmpfs (tried once, on a throwaway directory). */
export function canMount(): boolean {
  if (mountable !== undefined) return mountable;
  const dir = tempDir('claudeops-mount-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    mountable = true;
  } catch {
    mountable = false;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return mountable;
}

export function faultKinds(): FaultKind[] {
  return canMount() ? ['tmpfs', 'rlimit'] : ['rlimit'];
}

/** Fills a file system to the last byte (ENOSPC ends the write), in a file of its own. */
function fillUp(file: string): void {
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  const fd = fs.openSync(file, 'a');
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    // The last partial block: byte by byte would be slow; what is left is less than a chunk.
    const small = Buffer.alloc(512, 0x5a);
    try {
      for (;;) fs.writeSync(fd, small);
    } catch {
      // full
    }
  } finally {
    fs.closeSync(fd);
  }
}

function tmpfsFault(sizeBytes: number): StorageFault {
  const dataDir = tempDir('claudeops-tmpfs-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dataDir]);
  let mounted = true;
  const fillers = () => fs.readdirSync(dataDir).filter((name) => name.startsWith('filler-'));
  return {
    kind: 'tmpfs',
    dataDir,
    inject: () => fillUp(path.join(dataDir, `filler-${fillers().length}`)),
    clear: () => {
      for (const name of fillers()) fs.rmSync(path.join(dataDir, name));
    },
    dispose: () => {
      if (!mounted) return;
      mounted = false;
      // Lazy: a process of the test still holding a file there must not leave the mount behind.
      execFileSync('umount', ['-l', dataDir]);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The largest file the server has in its data directory (the database or its write-ahead log). */
function largestFile(dir: string): number {
  let largest = 0;
  for (const name of fs.readdirSync(dir)) {
    const stats = fs.statSync(path.join(dir, name));
    if (stats.isFile()) largest = Math.max(largest, stats.size);
  }
  return largest;
}

function rlimitFault(headroomBytes: number): StorageFault {
  const dataDir = tempDir('claudeops-rlimit-');
  const prlimit = (pid: number, limit: string) =>
    execFileSync('prlimit', ['--pid', String(pid), `--fsize=${limit}`]);
  return {
    kind: 'rlimit',
    dataDir,
    inject: (pid) => prlimit(pid, `${largestFile(dataDir) + headroomBytes}:unlimited`),
    // A limit dies with its process: nothing to clear once the server has exited.
    clear: (pid) => {
      if (isAlive(pid)) prlimit(pid, 'unlimited:unlimited');
    },
    dispose: () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
}

export interface FaultSizes {
  /** The tmpfs's size. */
  tmpfsBytes: number;
  /** How far past its largest file the server may still write under the rlimit. */
  rlimitHeadroomBytes: number;
}

export function makeFault(kind: FaultKind, sizes: FaultSizes): StorageFault {
  return kind === 'tmpfs' ? tmpfsFault(sizes.tmpfsBytes) : rlimitFault(sizes.rlimitHeadroomBytes);
}

/**
 * A directory the test server cannot write: a read-only tmpfs where the machine lets the tests
 * mount, else one without write permission (for a user other than root), else (root, no mounts) a
 * path under a plain file, which no one can create.
 */
export function unwritableDir(): { path: string; dispose: () => void } {
  const dir = tempDir('claudeops-readonly-');
  if (canMount()) {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', dir]);
    return {
      path: dir,
      dispose: () => {
        execFileSync('umount', ['-l', dir]);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (process.getuid?.() !== 0) {
    fs.chmodSync(dir, 0o555);
    return {
      path: dir,
      dispose: () => {
        fs.chmodSync(dir, 0o755);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  fs.writeFileSync(path.join(dir, 'file'), '');
  return {
    path: path.join(dir, 'file', 'data'),
    dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
