import { type NotificationEventInput, notificationEventSchema } from '../contracts/notifications';
import { oneAtATime } from '../core/oneAtATime';
import { type Plan, transaction } from '../db/plan';
import { getCondition } from '../db/queries/notificationConditions';
import { getAppSettings } from '../db/queries/settings';
import type { Store } from '../db/store';
import { breachSince, hostDiskKey } from './conditions';
import { queueEvent, type RecordedEvent } from './events';

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

/** What one condition's signal records, inside the evaluation's transaction. */
function* observe(
  store: Store,
  key: string,
  signal: Signal,
  sustainMs: number,
  build: Build,
  now: number,
  quietMs: number,
): Plan<RecordedEvent | null> {
  if (signal === 'hold') return null;
  const record = (input: NotificationEventInput) =>
    queueEvent(store, notificationEventSchema.parse(input), now, quietMs);
  if (signal === 'clear') {
    const row = yield* getCondition(store, key);
    return row ? yield* record(build('resolved', row.since)) : null;
  }
  const since = yield* breachSince(store, key, now);
  return now - since >= sustainMs ? yield* record(build('firing', since)) : null;
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
 * left as they were. One transaction on either dialect; the caller runs one evaluation at a time.
 */
export function evaluateHostConditions(
  store: Store,
  reading: HostReading,
  now = Date.now(),
): Promise<RecordedEvent[]> {
  return transaction(store, function* (tx) {
    const settings = yield* getAppSettings(tx);
    const quietMs = settings.notificationQuietPeriodMinutes * 60_000;
    const path = HOST_PAGE_PATH;
    const outcomes: (RecordedEvent | null)[] = [];
    for (const disk of reading.disks)
      outcomes.push(
        yield* observe(
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
          quietMs,
        ),
      );
    const memory = settings.hostMemoryAvailablePercent;
    outcomes.push(
      yield* observe(
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
        quietMs,
      ),
    );
    const thresholdLoad = settings.hostLoadPerCore * reading.cores;
    const sustainedMinutes = settings.hostLoadSustainMinutes;
    outcomes.push(
      yield* observe(
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
        quietMs,
      ),
    );
    return outcomes.filter((outcome): outcome is RecordedEvent => outcome !== null);
  });
}

/**
 * Checks the readings handed to it on their timer, one evaluation at a time: a reading that comes
 * while one is checked waits for it, and of those waiting only the newest is checked.
 */
export function hostConditionChecker(
  store: Store,
  onRecorded: (events: RecordedEvent[]) => void,
  onError: (err: unknown) => void,
): (reading: HostReading) => void {
  let waiting: HostReading | undefined;
  const check = oneAtATime(async () => {
    const reading = waiting;
    waiting = undefined;
    if (!reading) return;
    const recorded = await evaluateHostConditions(store, reading);
    if (recorded.length > 0) onRecorded(recorded);
  }, onError);
  return (reading) => {
    waiting = reading;
    check();
  };
}
