import fs from 'node:fs';

/** Free space (for the server's user, like `df`'s Available) and size of a file system, in bytes. */
export interface DiskSpace {
  freeBytes: number;
  totalBytes: number;
  /** In use, like `df`'s Used (size − free blocks, reserved ones included in neither); absent when unknown. */
  usedBytes?: number;
}

/** The free-space floor's two settings: whichever of them is smaller applies. */
export interface FloorSettings {
  diskFloorMb: number;
  diskFloorPercent: number;
}

const MIB = 1024 * 1024;

/**
 * Below this many free bytes new runs are refused: the smaller of the two settings, so a large
 * disk is not held to 5% (100 GB of 2 TB) and a small one not to 1 GiB.
 */
export function floorBytes(totalBytes: number, floor: FloorSettings): number {
  return Math.min(floor.diskFloorMb * MIB, Math.floor((totalBytes * floor.diskFloorPercent) / 100));
}

/**
 * One statfs(2) of the data directory, synchronous: it is a single system call on a local file
 * system (the database lives there, and SQLite needs a local disk anyway), asked before a run
 * starts. Null when the directory cannot be read.
 */
export function readDiskSpace(dir: string): DiskSpace | null {
  try {
    const stats = fs.statfsSync(dir);
    return {
      freeBytes: stats.bavail * stats.bsize,
      totalBytes: stats.blocks * stats.bsize,
      usedBytes: (stats.blocks - stats.bfree) * stats.bsize,
    };
  } catch {
    return null;
  }
}
