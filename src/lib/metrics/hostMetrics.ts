import { type HostSample, sampleSeries } from '../contracts/metrics';
import type { Logger } from '../core/logger';
import { transaction } from '../db/plan';
import { adoptUnnamedHostRows } from '../db/queries/metrics';
import type { Store } from '../db/store';
import { yieldToEventLoop } from './eventLoop';
import { HostCollector } from './hostCollector';
import { HostSampleWriter } from './hostSampleWriter';
import type { HostSource } from './hostSource';
import { type MetricsRetention, maintainHostMetrics } from './retention';

export interface HostMetricsOptions {
  store: Store;
  /** The machine sampled: its rows are filed under this name (thisHost()). */
  host: string;
  logger: Logger;
  /** Between two samples (the `metricsIntervalSeconds` setting); samples land on multiples of it. */
  intervalMs: number;
  retention: MetricsRetention;
  /** Each stored sample, for the `metrics` WebSocket topic and the notification thresholds. */
  onSample?: (sample: HostSample) => void;
  /** Rollups and pruning run this often (default once a minute). */
  maintenanceIntervalMs?: number;
  /** Tests point the collector at captured files. */
  source?: HostSource;
}

export interface HostMetrics {
  /** The last stored sample; undefined before the first. */
  latest(): HostSample | undefined;
  /** New interval or retention (after the settings changed); used from the sample after the next. */
  reconfigure(changes: { intervalMs?: number; retention?: MetricsRetention }): void;
  /** Stops after the sample or maintenance transaction under way, so the database can be closed next. */
  stop(): Promise<void>;
}

/**
 * Samples this machine every interval, stores each sample under its host, and once a minute rolls
 * up the host's closed buckets and prunes its expired rows. Rows from before hosts were told apart
 * are taken as this host's first (a failure is logged; they wait for the next start). One loop
 * does all of it in turn, awaiting each step, so maintenance never races a sample still being
 * written nor overlaps itself, on either dialect. Failures are logged and the loop goes on.
 */
export function startHostMetrics(options: HostMetricsOptions): HostMetrics {
  const { store, host, logger, onSample } = options;
  let { intervalMs, retention } = options;
  const maintenanceIntervalMs = options.maintenanceIntervalMs ?? 60_000;
  const collector = new HostCollector({ logger, ...(options.source ? { source: options.source } : {}) });
  const writer = new HostSampleWriter(store, host);
  let latest: HostSample | undefined;
  let stopped = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lastError: string | undefined;
  let nextMaintenanceAt = Date.now() + maintenanceIntervalMs;

  const logOnce = (error: unknown, message: string) => {
    // A machine without /proc fails the same way every tick: say it once.
    const text = error instanceof Error ? error.message : String(error);
    if (text !== lastError) logger.warn({ err: error }, message);
    lastError = text;
  };

  const sleepUntil = (at: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, Math.max(0, at - Date.now()));
      timer.unref();
    });

  /** Dated by its slot, not by the timer's few ms of lateness: charts and rollups line up. */
  const takeSample = async (slot: number) => {
    const sample = await collector.sample(slot);
    await writer.write(sample.t, sampleSeries(sample));
    latest = sample;
    lastError = undefined;
    onSample?.(sample);
  };

  // Maintenance stops between two of its transactions once stop() is called: each is complete in
  // itself, and the next start carries on from what is committed.
  const stopRequested = new Error('host metrics stopped');
  const pause = async () => {
    await yieldToEventLoop();
    if (stopped) throw stopRequested;
  };

  const loop = async () => {
    await transaction(store, (tx) => adoptUnnamedHostRows(tx, host)).catch((error) =>
      logger.warn(
        { err: error, host },
        'host metrics: the rows recorded before hosts were named stay unnamed',
      ),
    );
    // Rates need a reading to compare with: the first one is only kept, not stored.
    await collector.sample(Date.now()).catch((error) => logOnce(error, 'host metrics: reading /proc failed'));
    let slot = 0;
    while (!stopped) {
      // The next multiple after both now and the last slot: a timer that fires a millisecond
      // early (timers and Date.now() run on different clocks) must not date two samples alike.
      slot = Math.ceil((Math.max(Date.now(), slot) + 1) / intervalMs) * intervalMs;
      await sleepUntil(slot);
      if (stopped) break;
      await takeSample(slot).catch((error) => logOnce(error, 'host metrics: sampling failed'));
      if (stopped || Date.now() < nextMaintenanceAt) continue;
      nextMaintenanceAt = Date.now() + maintenanceIntervalMs;
      await maintainHostMetrics(store, host, Date.now(), retention, pause).catch((error) => {
        if (error !== stopRequested) logger.error({ err: error }, 'host metrics: rollup or pruning failed');
      });
    }
  };
  const running = loop();

  return {
    latest: () => latest,
    reconfigure: (changes) => {
      intervalMs = changes.intervalMs ?? intervalMs;
      retention = changes.retention ?? retention;
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      wake?.();
      await running;
    },
  };
}
