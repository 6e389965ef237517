import fs from 'node:fs';
import path from 'node:path';

/** The part of statfs(2) the collector uses: block size and block counts. */
export interface FsStats {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
}

/**
 * Where the host collector reads from. Every call is asynchronous: file reads and statfs run on
 * libuv's thread pool, never on the event loop. Tests point it at captured files instead.
 */
export interface HostSource {
  /** A /proc or /sys file, by its absolute path on the machine ('/proc/stat'). */
  readText(file: string): Promise<string>;
  list(directory: string): Promise<string[]>;
  statfs(mountPoint: string): Promise<FsStats>;
}

/** This machine, or a copy of its /proc and /sys under `root`, with statfs on the real mounts. */
export function systemSource(root = '/'): HostSource {
  return {
    readText: (file) => fs.promises.readFile(path.join(root, file), 'utf8'),
    list: (directory) => fs.promises.readdir(path.join(root, directory)),
    statfs: (mountPoint) => fs.promises.statfs(mountPoint),
  };
}

/**
 * statfs with a deadline. A stuck mount (a dead disk, a hung FUSE daemon) makes statfs wait in
 * the kernel, holding a thread-pool thread: its result is abandoned after `timeoutMs`, and the
 * mount is not asked again until that call returns, so it can hold at most one thread.
 */
export class StatfsGuard {
  private readonly pending = new Set<string>();

  constructor(
    private readonly statfs: HostSource['statfs'],
    private readonly timeoutMs: number,
  ) {}

  /** The mount's figures; 'timeout' past the deadline; undefined when it failed or is still stuck from before. */
  async read(mountPoint: string): Promise<FsStats | 'timeout' | undefined> {
    if (this.pending.has(mountPoint)) return undefined;
    this.pending.add(mountPoint);
    const call = this.statfs(mountPoint).finally(() => this.pending.delete(mountPoint));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.timeoutMs);
    });
    try {
      return await Promise.race([call, deadline]);
    } catch {
      return undefined; // unmounted meanwhile, or not ours to read
    } finally {
      clearTimeout(timer);
    }
  }
}
