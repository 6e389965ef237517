/**
 * Storage faults: a write (or read) the disk refused. They are not bugs of ClaudeOps but states of
 * the machine, so they get a type, words that say what to do, and their own HTTP status, instead
 * of a generic 500. Recognised from SQLite's result codes (better-sqlite3's `SqliteError.code`) and
 * from Node's errno codes (`fs` calls: a run's directories, the reserve file).
 */

/** `full`: no space (or a file-size limit); `readonly`: the file or file system refuses writes; `io`: the device failed. */
export type StorageFaultKind = 'full' | 'readonly' | 'io';

export interface StorageFault {
  kind: StorageFaultKind;
  /** The code as the error gave it: `SQLITE_FULL`, `SQLITE_IOERR_WRITE`, `ENOSPC`… */
  code: string;
  /** The error's own text (SQLite's or the system's), for the log and the details. */
  detail: string;
}

const ERRNO_KINDS: Record<string, StorageFaultKind> = {
  ENOSPC: 'full',
  EDQUOT: 'full',
  // A file-size limit (RLIMIT_FSIZE) reached: as good as full for this process.
  EFBIG: 'full',
  EROFS: 'readonly',
  EIO: 'io',
};

function kindOfCode(code: string): StorageFaultKind | null {
  if (code === 'SQLITE_FULL') return 'full';
  if (code.startsWith('SQLITE_READONLY')) return 'readonly';
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN')) return 'io';
  return ERRNO_KINDS[code] ?? null;
}

/** The storage fault an error is (or wraps, through `cause`), or null for any other error. */
export function storageFaultOf(error: unknown): StorageFault | null {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    const kind = typeof code === 'string' ? kindOfCode(code) : null;
    if (kind && typeof code === 'string') return { kind, code, detail: current.message };
    current = current.cause;
  }
  return null;
}

/** `SQLITE_IOERR_WRITE: disk I/O error`; a system error's text already starts with its code. */
const causeOf = (fault: StorageFault) =>
  fault.detail.startsWith(fault.code) ? fault.detail : `${fault.code}: ${fault.detail}`;

/** What went wrong and what to do, in words a user can act on. `where`: the data directory. */
export function describeStorageFault(fault: StorageFault, where: string): string {
  switch (fault.kind) {
    case 'full':
      return (
        `The file system holding ${where} is full (${fault.code}). ` +
        'Free space there; new runs are refused until enough is free again.'
      );
    case 'readonly':
      return (
        `${where} cannot be written (${causeOf(fault)}). ` +
        "Make it writable by the server's user (or remount its file system read-write)."
      );
    case 'io':
      return (
        `The disk holding ${where} failed (${causeOf(fault)}). ` +
        'Check the device (dmesg, df) and the server log.'
      );
  }
}
