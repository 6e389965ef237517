import type { DatabaseLinkDto, StorageFaultDto, StorageState, StorageStatusDto } from '../contracts/storage';
import type { Logger } from '../core/logger';
import { describeStorageFault, type StorageFault, storageFaultOf } from '../core/storageFault';
import { formatBytes } from '../presentation/format';
import { type DiskSpace, type FloorSettings, floorBytes, readDiskSpace } from './diskSpace';
import type { StorageReserve } from './reserve';

/** Why a run may not start: free space below the floor, or writes failing. */
export interface StorageRefusal {
  code: 'storage_low' | 'storage_error';
  message: string;
}

export interface StorageMonitorOptions {
  dataDir: string;
  logger: Logger;
  /** The floor settings, read at every check (a change applies at once). */
  floor(): FloorSettings;
  reserve: StorageReserve;
  /** Commits one small write: it succeeds once the database takes writes again. */
  probe(): void;
  /** Writes that waited for storage (run endings), tried before the probe while failing. */
  flushPending(): void;
  /** Whether runs are under way: free space is then checked every few seconds. */
  busy(): boolean;
  /** The status changed (state, fault, or the free space it shows). */
  onChange(status: StorageStatusDto): void;
  readSpace?: (dir: string) => DiskSpace | null;
  now?: () => number;
  /** Between checks while runs are under way (default 5 s), while idle (60 s), while failing (1 s). */
  busyIntervalMs?: number;
  idleIntervalMs?: number;
  failingIntervalMs?: number;
}

/** A reading older than this is taken again before a run starts. */
const FRESH_MS = 1_000;

/**
 * The data directory's storage as one state (ok, low, failing), from two sources: free space
 * (statfs, every few seconds while runs are under way, and before a run starts) and the faults
 * writers report. A fault makes it `failing` at once and gives back the reserve file, so the runs
 * the fault stopped can still record their ending; it stays `failing` until a probe write commits
 * again, then free space decides between `low` and `ok`. No restart is needed either way.
 */
export class StorageMonitor {
  private state: StorageState = 'ok';
  private since: number;
  private fault: StorageFaultDto | null = null;
  private space: DiskSpace | null = null;
  private checkedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private published = '';
  private databaseLink: DatabaseLinkDto | null = null;
  private readonly now: () => number;
  private readonly readSpace: (dir: string) => DiskSpace | null;

  constructor(private readonly options: StorageMonitorOptions) {
    this.now = options.now ?? Date.now;
    this.readSpace = options.readSpace ?? readDiskSpace;
    this.since = this.now();
  }

  status(): StorageStatusDto {
    const floor = this.floorBytes();
    return {
      state: this.state,
      since: this.since,
      dataDir: this.options.dataDir,
      freeBytes: this.space?.freeBytes ?? null,
      totalBytes: this.space?.totalBytes ?? null,
      usedBytes: this.space?.usedBytes ?? null,
      floorBytes: floor,
      fault: this.fault,
      message: this.message(floor),
      checkedAt: this.checkedAt,
      databaseLink: this.databaseLink,
    };
  }

  /** On Postgres: the link to the database changed (the banner shows it while it is lost). */
  setDatabaseLink(link: DatabaseLinkDto): void {
    this.databaseLink = link;
    this.publish();
  }

  /** Why a run may not start now, or null; free space is read again first unless it was just read. */
  refusal(): StorageRefusal | null {
    if (this.state !== 'failing' && this.now() - this.checkedAt > FRESH_MS) this.check();
    if (this.state === 'ok') return null;
    const message = this.message(this.floorBytes()) ?? '';
    return { code: this.state === 'failing' ? 'storage_error' : 'storage_low', message };
  }

  /** A write failed on storage (any writer: a run's output, an API request, a sample). */
  reportFault(fault: StorageFault): void {
    const at = this.now();
    const first = this.state !== 'failing';
    this.noteFault(fault);
    if (first) {
      this.options.logger.error({ code: fault.code, detail: fault.detail }, 'storage is failing');
      if (fault.kind === 'full' && this.options.reserve.release()) {
        this.options.logger.warn(
          { file: this.options.reserve.file, bytes: this.options.reserve.bytes },
          'released the storage reserve so stopped runs can record their ending',
        );
      }
    }
    this.setState('failing', at);
    this.schedule();
  }

  /** Looks at free space (and, while failing, whether writes work again) now. Never throws. */
  check(): StorageStatusDto {
    const now = this.now();
    this.space = this.readSpace(this.options.dataDir);
    this.checkedAt = now;
    if (this.state === 'failing' && !this.writesWork()) {
      this.publish();
      return this.status();
    }
    const floor = this.floorBytes();
    const low = floor !== null && this.space !== null && this.space.freeBytes < floor;
    if (!low && this.space && floor !== null) this.restoreReserve(floor);
    if (!low) this.fault = null;
    this.setState(low ? 'low' : 'ok', now);
    return this.status();
  }

  start(): void {
    this.stopped = false;
    this.check();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private writesWork(): boolean {
    try {
      this.options.flushPending();
      this.options.probe();
      return true;
    } catch (error) {
      const fault = storageFaultOf(error);
      if (fault) this.noteFault(fault);
      else this.options.logger.error({ err: error }, 'storage probe failed');
      return false;
    }
  }

  /** The fault shown: the same one again keeps the time it first happened. */
  private noteFault(fault: StorageFault): void {
    if (this.fault?.code === fault.code && this.state === 'failing') return;
    this.fault = { kind: fault.kind, code: fault.code, message: this.describe(fault), at: this.now() };
  }

  private restoreReserve(floor: number): void {
    const { reserve, logger } = this.options;
    if (reserve.held || this.space === null || this.space.freeBytes - reserve.bytes < floor) return;
    if (reserve.ensure())
      logger.info({ file: reserve.file, bytes: reserve.bytes }, 'storage reserve in place');
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const { busyIntervalMs = 5_000, idleIntervalMs = 60_000, failingIntervalMs = 1_000 } = this.options;
    const delay =
      this.state === 'failing'
        ? failingIntervalMs
        : this.state === 'low' || this.options.busy()
          ? busyIntervalMs
          : idleIntervalMs;
    this.timer = setTimeout(() => {
      this.check();
      this.schedule();
    }, delay);
    this.timer.unref();
  }

  private setState(state: StorageState, at: number): void {
    if (state !== this.state) {
      this.options.logger[state === 'ok' ? 'info' : 'warn'](
        { from: this.state, to: state, freeBytes: this.space?.freeBytes ?? null },
        'storage state changed',
      );
      this.state = state;
      this.since = at;
    }
    this.publish();
  }

  private publish(): void {
    const status = this.status();
    // Published when anything a page shows changed (not the check time).
    const key = JSON.stringify({ ...status, checkedAt: 0 });
    if (key === this.published) return;
    this.published = key;
    this.options.onChange(status);
  }

  private floorBytes(): number | null {
    return this.space ? floorBytes(this.space.totalBytes, this.options.floor()) : null;
  }

  private describe(fault: StorageFault): string {
    return describeStorageFault(fault, this.options.dataDir);
  }

  private message(floor: number | null): string | null {
    if (this.state === 'failing') return this.fault?.message ?? null;
    if (this.state === 'ok') return null;
    const free = this.space ? formatBytes(this.space.freeBytes) : 'little';
    const after = this.fault
      ? ` Writes failed at ${new Date(this.fault.at).toISOString()} (${this.fault.code}).`
      : '';
    return (
      `Only ${free} free on the file system of ${this.options.dataDir} (floor ${formatBytes(floor ?? 0)}): ` +
      `new runs are refused until more is free. Free space there, or lower the floor in Settings.${after}`
    );
  }
}
