import type { NotificationEventInput } from '../contracts/notifications';
import type { DbExecutor } from '../db/executor';
import { runOnSqlite } from '../db/plan';
import { getCondition } from '../db/queries/notificationConditions';
import { getAppSettings } from '../db/queries/settings';
import { sqliteStore } from '../db/store';
import { breachSince, hostDiskKey } from './conditions';
import { type RecordedEvent, recordEvent } from './events';

/** One sample of the machine, as the metrics collector reads it. */
export interface HostReading {
  disks: { mount: string; usedPercent: number }[];
  memoryAvailablePercent: number;
  load1: number;
  cores: number;
}

/** The page host events link to. */
export const HOST_PAGE_PATH = '/system';

/**
 * Percentage points a disk or memory figure must move back past its threshold before the
 * condition clears, so a disk hovering at the threshold does not send a message per sample.
 */
export const HYSTERESIS_POINTS = 2;

/** What a reading says about a condition: it holds, it has cleared, or it is in between (no change). */
type Signal = 'breach' | 'clear' | 'hold';

type Build = (state: 'firing' | 'resolved', since: number) => NotificationEventInput;

function observe(
  db: DbExecutor,
  key: string,
  signal: Signal,
  sustainMs: number,
  build: Build,
  now: number,
): RecordedEvent | null {
  if (signal === 'hold') return null;
  const store = sqliteStore(db);
  if (signal === 'clear') {
    const row = runOnSqlite(getCondition(store, key));
    return row ? recordEvent(db, build('resolved', row.since), now) : null;
  }
  const since = runOnSqlite(breachSince(store, key, now));
  return now - since >= sustainMs ? recordEvent(db, build('firing', since), now) : null;
}

const above = (value: number, threshold: number): Signal =>
  value > threshold ? 'breach' : value <= threshold - HYSTERESIS_POINTS ? 'clear' : 'hold';
const below = (value: number, threshold: number): Signal =>
  value < threshold ? 'breach' : value >= threshold + HYSTERESIS_POINTS ? 'clear' : 'hold';

/**
 * Checks one reading against the host thresholds in settings and records host.disk (per mount),
 * host.memory and host.load events: once when a condition starts (load only after it has held
 * for the sustain time), again after the quiet period if it still holds, and "resolved" when it
 * clears. Call it for every sample; most calls write nothing. Mounts missing from a reading are
 * left as they were.
 */
export function evaluateHostConditions(
  db: DbExecutor,
  reading: HostReading,
  now = Date.now(),
): RecordedEvent[] {
  return db.transaction((tx) => {
    const settings = runOnSqlite(getAppSettings(sqliteStore(tx)));
    const path = HOST_PAGE_PATH;
    const outcomes: (RecordedEvent | null)[] = reading.disks.map((disk) =>
      observe(
        tx,
        hostDiskKey(disk.mount),
        above(disk.usedPercent, settings.hostDiskUsedPercent),
        0,
        (state, since) => ({
          type: 'host.disk',
          data: {
            mount: disk.mount,
            usedPercent: disk.usedPercent,
            thresholdPercent: settings.hostDiskUsedPercent,
            since,
            state,
            path,
          },
        }),
        now,
      ),
    );
    const memory = settings.hostMemoryAvailablePercent;
    outcomes.push(
      observe(
        tx,
        'host.memory',
        below(reading.memoryAvailablePercent, memory),
        0,
        (state, since) => ({
          type: 'host.memory',
          data: {
            availablePercent: reading.memoryAvailablePercent,
            thresholdPercent: memory,
            since,
            state,
            path,
          },
        }),
        now,
      ),
    );
    const thresholdLoad = settings.hostLoadPerCore * reading.cores;
    const sustainedMinutes = settings.hostLoadSustainMinutes;
    outcomes.push(
      observe(
        tx,
        'host.load',
        reading.load1 > thresholdLoad ? 'breach' : 'clear',
        sustainedMinutes * 60_000,
        (state, since) => ({
          type: 'host.load',
          data: {
            load1: reading.load1,
            cores: reading.cores,
            thresholdLoad,
            sustainedMinutes,
            since,
            state,
            path,
          },
        }),
        now,
      ),
    );
    return outcomes.filter((outcome): outcome is RecordedEvent => outcome !== null);
  });
}
