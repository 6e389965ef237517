import fs from 'node:fs';

const CHUNK = Buffer.alloc(1024 * 1024);

/**
 * A file of zeros kept in the data directory and deleted at the first "disk full": the space it
 * frees lets the runs that were stopped by the fault record how they ended (and the banner's
 * notification be written), instead of staying `running` until someone frees space. It is made
 * again once there is room for it above the floor.
 */
export class StorageReserve {
  constructor(
    readonly file: string,
    readonly bytes: number,
  ) {}

  get held(): boolean {
    return this.bytes > 0 && fs.existsSync(this.file) && fs.statSync(this.file).size >= this.bytes;
  }

  /** Writes the file if it is missing or short; false (and no partial file) when there is no room. */
  ensure(): boolean {
    if (this.bytes <= 0 || this.held) return true;
    let fd: number | undefined;
    try {
      fd = fs.openSync(this.file, 'w', 0o600);
      // Real blocks, not a sparse file: writing is what makes the space ours.
      for (let written = 0; written < this.bytes; ) {
        written += fs.writeSync(fd, CHUNK, 0, Math.min(CHUNK.length, this.bytes - written));
      }
      fs.fsyncSync(fd);
      return true;
    } catch {
      if (fd !== undefined) fs.closeSync(fd);
      fd = undefined;
      fs.rmSync(this.file, { force: true });
      return false;
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  /** Deletes the file; true when there was one to give back. */
  release(): boolean {
    if (!fs.existsSync(this.file)) return false;
    fs.rmSync(this.file, { force: true });
    return true;
  }
}
