import path from 'node:path';
import { type ApprovalLinks, loadApprovalLinks } from '../auth/approvalLinks';
import type { AppEnv } from '../config/env';
import { thisHost } from '../config/host';
import { type ExecutionLive, isEndedStatus, usdToMicros } from '../contracts/executions';
import type { HostSample } from '../contracts/metrics';
import type { NotificationEventInput } from '../contracts/notifications';
import type { ExecutionResourcesDto } from '../contracts/runResources';
import type { ScheduleFiringDto } from '../contracts/schedules';
import type { AppSettingsDto } from '../contracts/settings';
import type { StorageStatusDto } from '../contracts/storage';
import type { CircuitBreakerDto } from '../contracts/system';
import type { WorkflowRunDto } from '../contracts/workflows';
import { EventBus } from '../core/eventBus';
import type { Logger } from '../core/logger';
import { oneAtATime } from '../core/oneAtATime';
import { storageFaultOf } from '../core/storageFault';
import { type DbHandle, openReadOnlyDatabase } from '../db/index';
import { execute, runOnSqlite, transaction } from '../db/plan';
import { openPostgresReadOnly } from '../db/postgres';
import { expireClaims } from '../db/queries/notificationOutbox';
import { indexNewRuns } from '../db/queries/runSearchIndex';
import { getAppSettings, putSetting } from '../db/queries/settings';
import { getWorkflowRun } from '../db/queries/workflowRuns';
import { appSecretBox } from '../db/secretBox';
import { type Store, sqliteStore } from '../db/store';
import type { DrainStart, HandBackCounts, RunEngine } from '../engine/engine';
import type { EngineEvent } from '../engine/events';
import { engineAnnouncements } from '../live/inProcess';
import { type RunFeed, runFeed } from '../live/runFeed';
import { type HostMetrics, startHostMetrics } from '../metrics/hostMetrics';
import { hostMetricsSettings } from '../metrics/retention';
import { RunResourceSampler } from '../metrics/runResourceSampler';
import { recordEventIn, recordEventOn } from '../notifications/events';
import { hostConditionChecker } from '../notifications/hostConditions';
import {
  circuitEvent,
  hostReading,
  monthlyBudgetEvents,
  storageEvents,
  workflowBudgetEvents,
} from '../notifications/producers';
import { type NotificationWorker, startNotificationWorker } from '../notifications/worker';
import { engineRunLauncher } from '../scheduling/engineLauncher';
import { recordFiringEvents } from '../scheduling/firingNotifications';
import { Scheduler } from '../scheduling/scheduler';
import type { SecretMasker } from '../security/secrets';
import { StorageMonitor } from '../storage/monitor';
import { type OutputRetention, startOutputRetention } from '../storage/outputRetention';
import { StorageReserve } from '../storage/reserve';
import { engineStepLauncher } from '../workflows/engineLauncher';
import { WorkflowRunner } from '../workflows/runner';
import type { LocalWorker } from './localWorker';
import { startRunHost } from './runHost';

/** The reserve file in the data directory (see storage/reserve.ts). */
const STORAGE_RESERVE_FILE = 'storage-reserve';
/** How often new runs go into the Runs page's search index (a search also indexes them first). */
const SEARCH_INDEX_INTERVAL_MS = 5_000;
/** The app_settings row the storage monitor writes to learn whether writes work again. */
const STORAGE_PROBE_KEY = 'storage.probe';

/** What the server publishes live besides the engine's own events. */
export type BackendEvent =
  | { type: 'metrics.sample'; sample: HostSample }
  /** A sampler tick's new sample of one run, once stored. */
  | { type: 'execution.resources'; executionId: number; resources: ExecutionResourcesDto }
  | { type: 'workflowRun.updated'; run: WorkflowRunDto }
  | { type: 'schedule.fired'; firing: ScheduleFiringDto }
  /** The data directory's storage changed (state, fault, free space). */
  | { type: 'storage.updated'; storage: StorageStatusDto };

export interface BackendDeps {
  /** Where everything is stored: the SQLite file, or Postgres (DATABASE_URL). */
  store: Store;
  /** The SQLite file, when that is the store: the storage probe and the health reporter's read-only reads use it. */
  sqlite: DbHandle | undefined;
  env: AppEnv;
  logger: Logger;
  masker: SecretMasker;
}

export interface Backend {
  readonly engine: RunEngine;
  readonly workflows: WorkflowRunner;
  readonly scheduler: Scheduler;
  readonly hostMetrics: HostMetrics;
  readonly storage: StorageMonitor;
  /** Drops run output past its retention, and says how big the database is. */
  readonly retention: OutputRetention;
  readonly events: EventBus<BackendEvent>;
  /** Signs and checks the one-time approve/deny links of notifications. */
  readonly approvalLinks: ApprovalLinks;
  /** This process's worker: the engine runs runs as it. */
  readonly runWorker: LocalWorker;
  /** Runs' output from any sequence number, then live (the Server-Sent Events route reads it). */
  readonly runFeed: RunFeed;
  /**
   * Cancels a run wherever it runs: on this process's engine, or (on Postgres) by a stop request
   * to the worker that runs it, waiting up to 3 s for its acknowledgement. False when the run is
   * not active (unknown, or ended).
   */
  cancelRun(executionId: number): Promise<boolean>;
  /** Starts delivering notifications, once the server knows the URL its messages link to. */
  startDelivery(baseUrl: string): void;
  /** Delivers what producers just committed (notifications recorded outside the engine). */
  notificationsQueued(): void;
  /** A setting changed: limits, the metrics interval and retention follow at once. */
  settingsChanged(settings: AppSettingsDto): void;
  /**
   * A stop signal came and the server drains (CLAUDEOPS_DRAIN_SECONDS): no run starts any more,
   * runs may still be queued; the worker's row says it drains. Returns what is under way.
   */
  drain(): DrainStart;
  /** Resolves once no run has a process. */
  whenIdle(): Promise<void>;
  /** The drain is over: runs still running are handed back, queued ones left for the next start. */
  handBack(): Promise<HandBackCounts>;
  /** Stops every loop and waits for the writes under way, so the database can be closed next. */
  stop(): Promise<void>;
}

/**
 * Everything that runs in the server besides HTTP: the run engine and the triggers that drive it
 * (schedules, workflows), host metrics, and notifications, wired to each other. server.ts starts
 * it after migrations and recovery, and hands its parts to the routes through the runtime.
 */
export async function startBackend(deps: BackendDeps): Promise<Backend> {
  const { store, sqlite, env, logger } = deps;
  /** The Postgres the store is on, when it is not the SQLite file. */
  const postgresUrl = sqlite ? undefined : env.databaseUrl;
  let settings = await execute(store, getAppSettings(store));
  const events = new EventBus<BackendEvent>();
  const publish = (event: BackendEvent) =>
    events.emit(event, (err) => logger.error({ err, event: event.type }, 'live listener failed'));

  let worker: NotificationWorker | undefined;
  /** Set once delivery starts (after the last server's claims are expired). */
  let delivery: Promise<void> | undefined;
  let stopping = false;
  const kick = () => void worker?.kick();
  // Events no other write causes (the breaker, budgets) are recorded in order, each in its own transaction.
  let recording = Promise.resolve();
  const notify = (event: NotificationEventInput) => {
    recording = recording
      .then(() => recordEventOn(store, event))
      .then(kick, (err: unknown) =>
        logger.error({ err, type: event.type }, 'notification could not be recorded'),
      );
  };

  const sampler = new RunResourceSampler({
    store,
    logger,
    instance: env.databasePath,
    onRecorded: (records) => {
      for (const { executionId, sample, summary } of records)
        publish({ type: 'execution.resources', executionId, resources: { summary, samples: [sample] } });
    },
  });
  const storage: StorageMonitor = new StorageMonitor({
    dataDir: env.dataDir,
    logger,
    floor: () => settings,
    reserve: new StorageReserve(path.join(env.dataDir, STORAGE_RESERVE_FILE), env.storageReserveBytes),
    // Postgres' own storage is its server's to watch: the probe writes the SQLite file only.
    probe: () => {
      if (sqlite) runOnSqlite(putSetting(sqliteStore(sqlite.db), STORAGE_PROBE_KEY, Date.now()));
    },
    // A failure is the storage's again (the monitor stays failing and tries later).
    flushPending: () =>
      void engine.recordPendingEndings().catch((err: unknown) => {
        const fault = storageFaultOf(err);
        if (fault) storage.reportFault(fault);
        else logger.error({ err }, 'run endings could not be stored');
      }),
    busy: () => engine.activeCount > 0,
    onChange: (status) => {
      publish({ type: 'storage.updated', storage: status });
      // Nothing can be recorded while the database is out of reach: its return publishes again.
      if (status.databaseLink?.state === 'unreachable') return;
      transaction(store, function* (tx) {
        for (const event of storageEvents(status)) yield* recordEventIn(tx, event);
      }).then(kick, (err: unknown) =>
        // Storage is failing: the condition is recorded at the next change that can be written.
        logger.warn({ err }, 'storage condition could not be recorded'),
      );
    },
  });
  // The health reporter's tools read through a connection that cannot write.
  const readOnly = sqlite && openReadOnlyDatabase(sqlite.path);
  const readOnlyPostgres =
    postgresUrl === undefined
      ? undefined
      : openPostgresReadOnly(postgresUrl, (err) =>
          logger.warn({ err }, 'a read-only Postgres connection was lost; the next query connects again'),
        );
  const healthStore = readOnly ? sqliteStore(readOnly.db) : (readOnlyPostgres?.store ?? store);
  // On Postgres every commit of a run is announced with NOTIFY and this process follows runs (and
  // hears stop requests for its worker, and the shared queue) on one LISTEN connection; SQLite's
  // one process follows the engine's own events.
  const runHost = await startRunHost({
    ...deps,
    postgresUrl,
    settings,
    healthStore,
    runsAgents: env.runAgents,
    processes: sampler,
    storage,
  });
  const { engine, worker: runWorker, live } = runHost;
  if (live) {
    storage.setDatabaseLink(live.link);
    live.onLinkChange((link) => storage.setDatabaseLink(link));
    // An event a worker host queued (its run's, its host's) goes out now, not at the next poll.
    live.onOutboxChange(kick);
  }
  const announceBudgets = levelChanges(notify);
  // Spend moves on every usage event; each look reads the budgets after the last one was
  // announced, so two reads never race and a stale level never follows a newer one.
  const lookAtMonthlyBudgets = oneAtATime(
    async () => announceBudgets(await monthlyBudgetEvents(store, Date.now())),
    (err) => logger.warn({ err }, 'monthly budgets could not be read; the next spend looks again'),
  );
  const approvalLinks = loadApprovalLinks(env.dataDir);

  const workflows = new WorkflowRunner({
    store,
    launcher: engineStepLauncher(engine, runHost.stopRun),
    logger,
    afterCommit: (runId) => {
      execute(store, getWorkflowRun(store, runId)).then(
        (run) => {
          if (!run) return;
          publish({ type: 'workflowRun.updated', run });
          announceBudgets(workflowBudgetEvents(run, Date.now()));
        },
        (err: unknown) => logger.warn({ err, runId }, 'a workflow run could not be read to announce it'),
      );
    },
  });

  let circuit: CircuitBreakerDto | null = null;
  engine.events.subscribe((event) => {
    forwardToWorkflows(workflows, event);
    if (event.type === 'run.updated' || event.type === 'run.ended') lookAtMonthlyBudgets();
    if (event.type === 'run.ended' || event.type === 'approval.updated') kick();
    if (event.type === 'circuit.changed') {
      const change = circuitEvent(circuit, event.circuit);
      circuit = event.circuit;
      if (change) notify(change);
    }
  });

  const scheduler = new Scheduler({
    store,
    launcher: engineRunLauncher(engine, workflows),
    logger,
    hooks: {
      inTransaction: recordFiringEvents,
      afterCommit: (firing) => {
        publish({ type: 'schedule.fired', firing });
        kick();
      },
    },
  });

  const checkHost = hostConditionChecker(store, logger, kick);
  const host = thisHost();
  const hostMetrics = startHostMetrics({
    store,
    host,
    logger,
    ...hostMetricsSettings(settings),
    onSample: (sample) => {
      publish({ type: 'metrics.sample', sample });
      checkHost(hostReading(host, sample));
    },
  });

  const retention = startOutputRetention({
    store,
    file: sqlite?.path,
    logger,
    retentionDays: async () => settings.runOutputRetentionDays,
  });

  const searchIndexing = setInterval(() => {
    indexNewRuns(store).catch((err: unknown) => {
      logger.warn({ err }, 'new runs could not be added to the search index; the next search retries');
    });
  }, SEARCH_INDEX_INTERVAL_MS);

  storage.start();
  await workflows.resume();
  // Approvals outlive the server: their expiries are armed again, and answered runs resume.
  await engine.recoverWaitingRuns();
  // Runs a clean stop left queued (handed back, or never started) are queued again.
  const resumed = await engine.resumeHandedBack();
  if (resumed > 0) logger.info({ runs: resumed }, 'runs left queued by the last stop are queued again');
  scheduler.start();
  lookAtMonthlyBudgets();

  return {
    engine,
    workflows,
    scheduler,
    hostMetrics,
    storage,
    retention,
    events,
    approvalLinks,
    runWorker,
    // One box: the engine's own events announce its commits.
    runFeed: runFeed(store, live ?? engineAnnouncements(engine.events)),
    startDelivery(baseUrl) {
      if (delivery) return;
      const baseDelayMs = env.notifyRetryBaseMs;
      // Claims left by the server before this one are dead: their messages go out again at once.
      delivery = execute(store, expireClaims(store, Date.now()))
        .catch((err: unknown) =>
          logger.warn({ err }, 'earlier delivery claims could not be expired; they expire by their lease'),
        )
        .then(() => {
          if (stopping) return;
          worker = startNotificationWorker({
            store,
            logger,
            baseUrl,
            box: appSecretBox(),
            approvalLinks,
            ...(baseDelayMs !== undefined && { retry: { baseDelayMs } }),
          });
        });
    },
    cancelRun: (executionId) => runHost.stopRun(executionId, 'cancelled', null),
    notificationsQueued: kick,
    settingsChanged(saved) {
      settings = saved;
      storage.check();
      void retention.kick();
      engine.followSettings(saved);
      hostMetrics.reconfigure(hostMetricsSettings(saved));
    },
    drain: () => runHost.drain(),
    whenIdle: () => runHost.whenIdle(),
    handBack() {
      // Nothing may queue behind the hand-back: triggers stop first (workflow steps that ended
      // meanwhile are read by the next start's resume, as at every stop). On SQLite a tick's
      // commit and its admissions run in one turn of the event loop, so none is half done here.
      void scheduler.stop();
      void workflows.shutdown();
      return runHost.handBack();
    },
    async stop() {
      stopping = true;
      clearInterval(searchIndexing);
      storage.stop();
      await scheduler.stop();
      await workflows.shutdown();
      await runHost.stop();
      await recording;
      await delivery;
      await Promise.all([hostMetrics.stop(), sampler.stop(), worker?.stop(), retention.stop()]);
      readOnly?.sqlite.close();
      await readOnlyPostgres?.close();
    },
  };
}

/** The workflow runner hears about the executions that are its steps. */
function forwardToWorkflows(workflows: WorkflowRunner, event: EngineEvent): void {
  if (!('execution' in event)) return;
  const execution: ExecutionLive = event.execution;
  if (execution.trigger !== 'workflow') return;
  const executionId = execution.id;
  const costMicros = usdToMicros(execution.costUsd);
  if (event.type === 'run.started')
    void workflows.onRunStarted({ executionId, startedAt: execution.startedAt ?? Date.now() });
  else if (event.type === 'run.updated') void workflows.onSpend({ executionId, costMicros });
  else if (event.type === 'run.ended' && isEndedStatus(execution.status)) {
    void workflows.onRunEnded({
      executionId,
      status: execution.status,
      resultText: execution.resultText,
      structuredOutput: execution.structuredOutput,
      costMicros,
    });
  }
}

type BudgetEvent = Awaited<ReturnType<typeof monthlyBudgetEvents>>[number];

/**
 * Announces budgets crossing 80% and 100% (and clearing, in a new month or after a raise). Spend
 * moves on every usage event, so budgets are looked at then, but only a level that changed is recorded.
 */
function levelChanges(notify: (event: NotificationEventInput) => void) {
  const known = new Map<string, string>();
  return (events: readonly BudgetEvent[]) => {
    for (const event of events) {
      const { data } = event;
      const key = `${event.type}:${data.scope}:${data.agentId ?? data.workflowId ?? ''}`;
      const value = `${data.month}:${data.state}`;
      if (known.get(key) === value) continue;
      known.set(key, value);
      notify(event);
    }
  };
}
