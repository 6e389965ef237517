import { systemPagePath } from '../contracts/metrics';
import { type NotificationEventInput, notificationEventSchema } from '../contracts/notifications';
import type { Logger } from '../core/logger';
import { oneAtATime } from '../core/oneAtATime';
import { type Plan, transaction } from '../db/plan';
import {
  deleteCondition,
  getCondition,
  listConditions,
  lockConditions,
  putCondition,
} from '../db/queries/notificationConditions';
import { getAppSettings } from '../db/queries/settings';
import type { Store } from '../db/store';
import { breachSince, HOST_CONDITION_TYPES, hostConditionKey, hostDiskKey } from './conditions';
import { queueEvent, type RecordedEvent } from './events';

/** One sample of a machine, as its metrics collector reads it. */
export interface HostReading {
  /** The machine's name, as its metrics are filed (thisHost() of the process that sampled it). */
  host: string;
  disks: { mount: string; usedPercent: number }[];
  memoryAvailablePercent: number;
  load1: number;
  cores: number;
}

/** The page host events link to. */
export const HOST_PAGE_PATH = systemPagePath();

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
    // Another process may check this machine at this instant (a web server and a worker host).
    yield* lockConditions(tx);
    const settings = yield* getAppSettings(tx);
    const quietMs = settings.notificationQuietPeriodMinutes * 60_000;
    const { host } = reading;
    const path = systemPagePath(host);
    const outcomes: (RecordedEvent | null)[] = [];
    for (const disk of reading.disks)
      outcomes.push(
        yield* observe(
          tx,
          hostDiskKey(host, disk.mount),
          above(disk.usedPercent, settings.hostDiskUsedPercent),
          0,
          (state, since) => ({
            type: 'host.disk',
            data: {
              host,
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
        hostConditionKey('host.memory', host),
        below(reading.memoryAvailablePercent, memory),
        0,
        (state, since) => ({
          type: 'host.memory',
          data: {
            host,
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
        hostConditionKey('host.load', host),
        reading.load1 > thresholdLoad ? 'breach' : 'clear',
        sustainedMinutes * 60_000,
        (state, since) => ({
          type: 'host.load',
          data: {
            host,
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

/** A host condition's key from before hosts were named (the dashboard's machine then), as `host`'s. */
function unnamedHostKey(key: string, host: string): string | null {
  if (key === 'host.memory' || key === 'host.load') return hostConditionKey(key, host);
  // A mount starts with '/'; an encoded host name never does.
  if (key.startsWith('host.disk:/')) return hostDiskKey(host, key.slice('host.disk:'.length));
  return null;
}

/**
 * Files the host conditions stored before hosts were named under `host`, so a condition holding
 * at the upgrade keeps its start and is not announced again. The first check after the upgrade
 * does it; later, nothing is left to take. Run it in a transaction.
 */
export function* adoptUnnamedHostConditions(store: Store, host: string): Plan<number> {
  yield* lockConditions(store);
  let adopted = 0;
  for (const row of yield* listConditions(store)) {
    const key = unnamedHostKey(row.key, host);
    if (key === null) continue;
    yield* deleteCondition(store, row.key);
    if (!(yield* getCondition(store, key))) yield* putCondition(store, { ...row, key });
    adopted++;
  }
  return adopted;
}

/**
 * Drops `host`'s conditions (a machine no process checks any more), without a message: nobody
 * knows whether they still hold. Returns how many went.
 */
export function* forgetHostConditions(store: Store, host: string): Plan<number> {
  yield* lockConditions(store);
  const own = new Set(HOST_CONDITION_TYPES.map((type) => hostConditionKey(type, host)));
  const disks = hostDiskKey(host, '');
  let dropped = 0;
  for (const { key } of yield* listConditions(store)) {
    if (!own.has(key) && !key.startsWith(disks)) continue;
    yield* deleteCondition(store, key);
    dropped++;
  }
  return dropped;
}

/**
 * Checks the readings handed to it on their timer, one evaluation at a time: a reading that comes
 * while one is checked waits for it, and of those waiting only the newest is checked. The first
 * check takes the conditions stored before hosts were named for its reading's host.
 */
export function hostConditionChecker(
  store: Store,
  logger: Logger,
  onRecorded: (events: RecordedEvent[]) => void = () => {},
): (reading: HostReading) => void {
  let waiting: HostReading | undefined;
  let adopted = false;
  const check = oneAtATime(
    async () => {
      const reading = waiting;
      waiting = undefined;
      if (!reading) return;
      if (!adopted) {
        await transaction(store, (tx) => adoptUnnamedHostConditions(tx, reading.host));
        adopted = true;
      }
      const recorded = await evaluateHostConditions(store, reading);
      if (recorded.length > 0) onRecorded(recorded);
    },
    (err) => logger.warn({ err }, 'host conditions could not be checked; the next sample checks again'),
  );
  return (reading) => {
    waiting = reading;
    check();
  };
}
