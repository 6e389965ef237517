import { SYSTEM_HEALTH_KEY } from '../../agents/system-health';
import { stopAgentsWhenSilent } from '../claude/spawnHelper';
import type { AppEnv } from '../config/env';
import { type ExecutionLive, isEndedStatus } from '../contracts/executions';
import type { Logger } from '../core/logger';
import { execute, type Plan } from '../db/plan';
import { addClaimJobs, removeClaimJobs } from '../db/queries/claimJobs';
import { getExecutionLive } from '../db/queries/executions';
import { getRunPosition } from '../db/queries/runPositions';
import type { Store } from '../db/store';
import { type EngineSettings, type ProcessWatcher, RunEngine, type StorageGate } from '../engine/engine';
import { healthTools } from '../health/healthTools';
import { recordHealthReport } from '../health/reports';
import { announceOutput, announceStatus } from '../live/announcer';
import { requestStop, type StopRequest, sendAnswerNotice } from '../live/control';
import { PostgresLive } from '../live/postgresLive';
import { announceOnChannel, announceStatusChanges, statusRelay } from '../live/statusAnnouncer';
import { systemSource } from '../metrics/hostSource';
import { HostVitalsReader } from '../metrics/hostVitals';
import { recordEventIn } from '../notifications/events';
import { approvalEvent, runEndedEvent } from '../notifications/producers';
import type { SecretMasker } from '../security/secrets';
import { type ClaimJobRunner, startClaimJobRunner } from './claimJobRunner';
import type { Drainable } from './drain';
import { AGENTS_KILLED_AFTER_SILENCE_MS, type LocalWorker, startLocalWorker } from './localWorker';

export interface RunHostDeps {
  store: Store;
  /** The Postgres the store is on; undefined on the SQLite file (one process: no shared queue). */
  postgresUrl: string | undefined;
  env: AppEnv;
  logger: Logger;
  masker: SecretMasker;
  settings: EngineSettings;
  /** Where the System Health Reporter's tools read (a connection that cannot write). */
  healthStore: Store;
  /** Whether this process runs agents (a worker), or only queues and watches them (a web node). */
  runsAgents: boolean;
  processes?: ProcessWatcher;
  storage?: StorageGate;
}

/** A process's run engine, its worker row, and (on Postgres) its link to the other processes. */
export interface RunHost extends Drainable {
  engine: RunEngine;
  worker: LocalWorker;
  /** On Postgres: this process's LISTEN connection (announcements, stop requests, answers). */
  live: PostgresLive | undefined;
  /**
   * Stops a run wherever it runs: here, or (on Postgres) on the worker that holds it, which is
   * asked on the control channel and acknowledges within 3 s. False when no process holds it.
   */
  stopRun(executionId: number, reason: StopRequest['reason'], message: string | null): Promise<boolean>;
  /** Stops the engine, the worker's beat and the LISTEN connection, in that order. */
  stop(): Promise<void>;
}

/**
 * The part of a process that runs agents, shared by the web server and `npm run worker`: the
 * engine, the worker's heartbeat and reaper, the notifications a run's ending and its approvals
 * record in their own transaction, and on Postgres the shared queue (runs claimed from the
 * database), the announcements of every commit, and stop requests from any process.
 */
export async function startRunHost(deps: RunHostDeps): Promise<RunHost> {
  const { store, postgresUrl, env, logger, runsAgents } = deps;
  let engine: RunEngine | undefined;
  /** A stopped worker's waiting claim jobs would never be taken: dropped (a leftover one is harmless). */
  const dropClaimJobsOf = (workerIds: string[]): Promise<void> =>
    execute(store, removeClaimJobs(store, workerIds)).catch((err: unknown) =>
      logger.warn({ err, workerIds }, 'the claim jobs of stopped workers could not be dropped'),
    );
  const vitals = new HostVitalsReader(systemSource(), env.dataDir);
  const worker = await startLocalWorker({
    store,
    labels: env.workerLabels,
    logger,
    registered: runsAgents,
    vitals: () => vitals.read(),
    onSettled: function* (tx, executionId) {
      const execution = yield* getExecutionLive(tx, executionId);
      if (!execution) return;
      if (isEndedStatus(execution.status)) yield* announceInterruptedRun(tx, execution);
      // Every process's lists and workflow runner hear of it: a workflow would wait for its step forever.
      if (postgresUrl === undefined) return;
      yield* announceStatus(tx, execution.id, execution.lastSeq, execution.status);
      // Queued again: every worker looks for it.
      if (execution.status === 'queued') yield* addClaimJobs(tx, Date.now());
    },
    onReaped: (reaped) => {
      if (postgresUrl !== undefined) void dropClaimJobsOf(reaped.map((dead) => dead.workerId));
      // Requeued runs are claimable now; parked ones that were answered resume.
      engine?.pump();
      void engine?.wakeAnswered(reaped.flatMap((dead) => dead.parked));
    },
    // Other processes reap this worker when it stops beating: it stops its runs before they may.
    ...(postgresUrl !== undefined &&
      runsAgents && {
        fence: {
          onFenced: async () => {
            await engine
              ?.fence()
              .catch((err: unknown) =>
                logger.error({ err }, 'the runs of a worker taken for dead could not all be handed back'),
              );
          },
          onRejoined: () => engine?.rejoin(),
        },
      }),
  });
  // Paused, a worker cannot fence itself: its spawn helper stops its agents before the lease ends.
  if (postgresUrl !== undefined && runsAgents)
    stopAgentsWhenSilent(AGENTS_KILLED_AFTER_SILENCE_MS, (agents) =>
      logger.error(
        { agents, silentMs: AGENTS_KILLED_AFTER_SILENCE_MS },
        'this process was silent (paused or frozen) while agents ran: its spawn helper killed them, before another host may take their runs up',
      ),
    );
  const live = postgresUrl === undefined ? undefined : new PostgresLive(postgresUrl, logger);
  engine = new RunEngine({
    store,
    settings: deps.settings,
    env,
    logger,
    masker: deps.masker,
    worker,
    ...(deps.processes && { processes: deps.processes }),
    ...(deps.storage && { storage: deps.storage }),
    ...(live && {
      withOutput: announceOutput,
      shared: {
        announce: (tx, dueAt) => addClaimJobs(tx, Date.now(), dueAt ?? null),
        tellHolder: sendAnswerNotice,
        claims: runsAgents,
      },
    }),
    toolsFor: (agent) => (agent.builtinKey === SYSTEM_HEALTH_KEY ? healthTools(deps.healthStore) : undefined),
  });
  const running = engine;
  // An approval's request (with its links) and its expiry are announced in the transaction that records them.
  running.events.onApprovalInTransaction((tx, { change, approval }) =>
    recordEventIn(tx, approvalEvent(change, approval)),
  );
  // A run's bad ending is announced in the very transaction that records it.
  running.events.onEndingInTransaction(function* (tx, { execution, agent, budget, timeoutSeconds }) {
    const event = runEndedEvent(execution, budget, timeoutSeconds);
    if (event) yield* recordEventIn(tx, event);
    // A reporting agent's report (or its absence) commits with the run, and so do its health events.
    const reported = yield* recordHealthReport(tx, agent, execution, Date.now());
    for (const health of reported) yield* recordEventIn(tx, health);
  });
  if (live) {
    announceStatusChanges(
      running.events,
      announceOnChannel(store, (err) =>
        logger.warn(
          { err },
          'a run’s status change could not be announced; followers see it at their next read',
        ),
      ),
    );
    // A stop asked for on any process (a cancel, a budget) reaches the run on this worker.
    live.onStop(
      worker.id,
      (request) => void running.stop(request.executionId, request.reason, request.message),
    );
    // A call answered on another process, whose process waits here: it goes on at once.
    live.onAnswer(worker.id, (notice) => void running.answerArrived(notice.approvalId));
    // Another process's run changed status: this process's lists and workflows hear of it.
    const relayFailed = (err: unknown) =>
      logger.warn({ err }, 'a run’s status change on another process could not be relayed');
    const relay = statusRelay(running.events, relayFailed);
    live.onStatusChange((executionId) => {
      execute(store, getExecutionLive(store, executionId)).then((execution) => {
        // This worker's own runs are told by its engine.
        if (execution && execution.workerId !== worker.id) relay(execution);
      }, relayFailed);
    });
    await live.whenListening();
  }
  // A run queued or a slot freed on any process: a job tells this worker to look for runs to claim.
  const claimJobs: ClaimJobRunner | undefined =
    postgresUrl !== undefined && runsAgents
      ? await startClaimJobRunner({
          postgresUrl,
          workerId: worker.id,
          logger,
          onJob: () => running.pumpOnItsOwn(),
        })
      : undefined;
  return {
    engine: running,
    worker,
    live,
    drain() {
      void worker.drain();
      return running.drain();
    },
    whenIdle: () => running.whenIdle(),
    async stopRun(executionId, reason, message) {
      if (await running.stop(executionId, reason, message)) return true;
      if (!live) return false;
      const position = await execute(store, getRunPosition(store, executionId));
      const workerId = position?.workerId;
      if (!position || isEndedStatus(position.status) || !workerId || workerId === worker.id) return false;
      const outcome = await requestStop(
        store,
        live,
        { executionId, workerId, reason, message },
        { onError: (err) => logger.warn({ err, executionId, workerId }, 'a stop request could not be sent') },
      );
      if (!outcome.acknowledged)
        logger.warn(
          { executionId, workerId },
          'the worker running this run did not acknowledge its stop within 3 s; its lease ends the run if it is gone',
        );
      return true;
    },
    handBack: () => running.handBack(),
    async stop() {
      await claimJobs?.stop();
      await running.shutdown();
      await worker.stop();
      if (claimJobs) await dropClaimJobsOf([worker.id]);
      await live?.close();
    },
  };
}

/**
 * Announces a run that ended without its process (the last server left it unfinished, or its
 * worker stopped beating), in the transaction that ends it (see recovery.ts, runClaims.ts).
 */
export function* announceInterruptedRun(tx: Store, execution: ExecutionLive): Plan<void> {
  const event = runEndedEvent(execution, undefined, 0);
  if (event) yield* recordEventIn(tx, event);
}
