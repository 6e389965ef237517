import type { SDKMessage, SDKResultMessage, SessionStore } from '@anthropic-ai/claude-agent-sdk';
import type { AgentTools } from '../claude/client';
import { MessageTranslator } from '../claude/messages';
import type { ModelTokenUsage } from '../claude/usage';
import type { AppEnv } from '../config/env';
import type { ApprovalDto, DecideApprovalInput } from '../contracts/approvals';
import { type ExecutionLive, HANDED_BACK } from '../contracts/executions';
import type { AppSettingsDto } from '../contracts/settings';
import type { CircuitBreakerDto } from '../contracts/system';
import { DomainError } from '../core/errors';
import type { Logger } from '../core/logger';
import { describeStorageFault, type StorageFault, storageFaultOf } from '../core/storageFault';
import { type Plan, transaction } from '../db/plan';
import { type OutcomeWrite, recordExecutionOutcome, recordHandBack } from '../db/queries/costs';
import {
  awaitingRunsWithoutPendingApproval,
  chainRootOf,
  getExecutionRow,
  getTriggerName,
  handedBackExecutions,
  insertQueuedExecution,
  markExecutionRunning,
  type NewExecutionAttempt,
  recordAttemptForRetry,
  recordExecutionInit,
  releaseClaim,
  setStartPoint,
  takeQueuedExecution,
} from '../db/queries/executions';
import { outputStoreOf, type WithOutput } from '../db/queries/outputStore';
import { claimRun } from '../db/queries/runClaims';
import { getRunPosition } from '../db/queries/runPositions';
import { runLogCapBytes } from '../db/queries/settings';
import type { AgentConfiguration, Approval } from '../db/schema';
import type { Store } from '../db/store';
import type { SecretMasker } from '../security/secrets';
import { type ActiveRun, limitsOf, newActiveRun, type RunRequest } from './activeRun';
import { Admission } from './admission';
import { ApprovalDesk, type DecisionActor } from './approvalDesk';
import { type AttemptResult, startAttempt } from './attemptRunner';
import { assertBudgetLeft, type BudgetBreach, breachFigures, monthlyBreachOf, sdkBudgetUsd } from './budgets';
import { CircuitBreaker } from './circuitBreaker';
import { type ClaimedRow, Claimer } from './claimer';
import { contextWarning, prepareResume, resumeOf, sessionWarning } from './continuation';
import { allDeniedWarning, denialsIn } from './denials';
import { type EngineEvent, EngineEvents } from './events';
import { noteDenial, noteWarning } from './findings';
import { attemptsCounted, handBackMove, handBackNotice, handedBackRecord, startPointOf } from './handBack';
import { Ledger } from './ledger';
import { type CommittedOutput, OutputWriter } from './outputWriter';
import { Parking } from './parking';
import { PermissionBroker } from './permissionBroker';
import { planRetry, type RetryPlan, RetryTimers, retryNotice, verdictOf } from './retries';
import {
  type RunEnding,
  type RunInput,
  type RunPhase,
  type StopReason,
  statusOf,
  transition,
} from './runState';
import { finalFigures, progressOf } from './runTotals';
import { attemptDto, spendView, structuredOutputOf } from './runView';
import { SharedQueueView } from './sharedQueueView';
import { transcriptStore, transcriptSummary } from './transcripts';

/** An ending the store refused is tried again after this, doubling up to the maximum. */
const ENDING_RETRY_FIRST_MS = 1_000;
const ENDING_RETRY_MAX_MS = 30_000;

/** What a drain starts with: runs with a process, and the others (queued, waiting for a retry). */
export interface DrainStart {
  running: number;
  queued: number;
}

/** How a drain ended: runs that ended during it, runs stopped and handed back, queued runs left for the next start. */
export interface HandBackCounts {
  finished: number;
  handedBack: number;
  leftQueued: number;
}

/** The phases in which a run has a Claude Code process. */
const hasProcess = (phase: RunPhase): boolean =>
  phase === 'running' || phase === 'awaiting' || phase === 'parking' || phase === 'stopping';

/** Why the engine would not start a run of an agent now. */
export type Refusal = { kind: 'budget' | 'breaker' | 'storage'; message: string };

/** The data directory's storage, as far as runs go (the storage monitor). */
export interface StorageGate {
  /** Why runs may not start now (free space below the floor, or writes failing), or null. */
  refusal(): { code: string; message: string } | null;
  /** A write failed on storage. */
  reportFault(fault: StorageFault): void;
}

/** A run that has ended but whose ending could not be stored yet (storage failing): retried until it is. */
interface UnrecordedEnding {
  view: ExecutionLive;
  /** False when the run was no longer this worker's to end (see recordExecutionOutcome). */
  record(): Promise<boolean>;
}

/** Watches the processes of running attempts (the per-run resource sampler). */
export interface ProcessWatcher {
  track(executionId: number, rootPid: number): void;
  untrack(executionId: number): void;
}

/** The settings the engine follows (limits, the breaker), as last saved. */
export type EngineSettings = Pick<
  AppSettingsDto,
  'maxConcurrentRuns' | 'circuitBreakerThreshold' | 'circuitBreakerCooldownSeconds'
>;

export interface EngineDeps {
  /** Where runs are written: the SQLite file, or Postgres. */
  store: Store;
  /** The settings when the engine starts; `followSettings` when they change. */
  settings: EngineSettings;
  env: AppEnv;
  logger: Logger;
  masker: SecretMasker;
  processes?: ProcessWatcher;
  storage?: StorageGate;
  /** The worker this engine is: its id goes on every run it starts, its labels decide which it may. */
  worker: { id: string; labels: readonly string[] };
  /** Writes that join each commit of runs' output (on Postgres, its announcement to other processes). */
  withOutput?: WithOutput;
  /** In-process tools for an agent's runs (built fresh for each attempt), if it has any. */
  toolsFor?: (agent: AgentConfiguration) => AgentTools | undefined;
  /** Several workers share the database's queue (Postgres): see SharedQueue. */
  shared?: SharedQueue;
}

/**
 * A queue several workers share: a queued run lives in the database, not in the memory of the
 * process that queued it, and each worker claims the runs it may start (claimer.ts, runClaims.ts).
 * A run that waits again (a retry, an answered approval) goes back to the database with its start
 * point, for any worker to claim.
 */
export interface SharedQueue {
  /**
   * Tells every worker to look for runs to claim, at the commit of `store`'s transaction: at once,
   * or at `dueAt` (epoch ms, a retry's time).
   */
  announce(store: Store, dueAt?: number | null): Plan<void>;
  /** Tells the worker whose process waits for a tool call that it was answered (at the commit). */
  tellHolder(store: Store, notice: { executionId: number; approvalId: number; workerId: string }): Plan<void>;
  /** Whether this process claims runs and runs them (a web process may leave them to worker hosts). */
  claims: boolean;
  pollMs?: number;
}

/**
 * The run engine: every trigger (the page, the API, schedules, workflows) starts runs here. It
 * composes admission (when a run starts), the attempt runner (one Claude Code process per
 * attempt), the spend guard (live budgets), the output writer (group commit) and the retry
 * policy around one state value per run, and tells the rest of the server what happened through
 * `events`, only after it is committed.
 */
export class RunEngine {
  readonly events = new EngineEvents();
  readonly breaker: CircuitBreaker;
  private readonly runs = new Map<number, ActiveRun>();
  /** Created inside a caller's transaction, not yet admitted (see queueRun). */
  private readonly created = new Map<number, ActiveRun>();
  private readonly unrecorded = new Map<number, UnrecordedEnding>();
  /** The pass storing `unrecorded` under way: one at a time, so no ending is written twice. */
  private recordingEndings: Promise<void> | undefined;
  /** The next try of endings the store refused for another reason than storage (see keepEnding). */
  private endingRetry: { timer: NodeJS.Timeout | undefined; delayMs: number } = {
    timer: undefined,
    delayMs: ENDING_RETRY_FIRST_MS,
  };
  private haltingForStorage = false;
  private readonly admission: Admission<ActiveRun>;
  /** With a shared queue: claims this worker's runs from the database. */
  private readonly claimer: Claimer | undefined;
  /** With a shared queue: where the runs in the database stand (their place, why they wait). */
  private readonly queueView: SharedQueueView | undefined;
  private readonly writer: OutputWriter;
  private readonly retryTimers = new RetryTimers();
  /** Tool calls waiting for a person, and their answers. */
  readonly approvals: ApprovalDesk;
  private readonly broker: PermissionBroker;
  private readonly parking: Parking;
  private readonly transcripts: SessionStore;
  private readonly ledger: Ledger;
  private settings: EngineSettings;
  /** Set once the server drains before it stops: how many runs ended since. */
  private draining: { endedSince: number } | undefined;
  /** Taken for dead by its own worker (see `fence`): claims nothing until `rejoin`. */
  private fenced = false;
  /** Waiting for the last process to end (a drain). */
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly deps: EngineDeps) {
    this.settings = deps.settings;
    this.breaker = new CircuitBreaker(
      {
        threshold: () => this.settings.circuitBreakerThreshold,
        cooldownMs: () => this.settings.circuitBreakerCooldownSeconds * 1000,
      },
      (circuit) => this.emit({ type: 'circuit.changed', circuit }),
    );
    this.admission = new Admission<ActiveRun>({
      labels: deps.worker.labels,
      globalLimit: () => this.settings.maxConcurrentRuns,
      gate: this.breaker,
      wake: () => this.pump(),
    });
    this.claimer = deps.shared?.claims ? this.claimerOf(deps.shared) : undefined;
    this.queueView =
      deps.shared &&
      new SharedQueueView(deps.store, (error) =>
        this.writeFailed(error, 'the shared queue could not be read'),
      );
    this.writer = new OutputWriter(
      outputStoreOf(deps.store, deps.worker.id, deps.withOutput),
      deps.masker,
      (outputs) => this.committed(outputs),
      // A group commit failed: its lines are lost.
      (error, executionIds) => this.writeFailed(error, 'run output could not be stored', { executionIds }),
      (executionIds) =>
        deps.logger.warn(
          { executionIds },
          'run output not stored: another worker holds the run now (this worker was cut off or paused meanwhile)',
        ),
    );
    this.ledger = new Ledger(
      deps.store,
      () => this.writer.flushed(),
      (error) => this.writeFailed(error),
    );
    this.transcripts = transcriptStore(deps.store, deps.masker);
    this.approvals = new ApprovalDesk({
      ledger: this.ledger,
      events: this.events,
      logger: deps.logger,
      holdMs: deps.env.approvalHoldMs,
      onAnsweredWithoutWaiter: (approval) => void this.answeredWithoutWaiter(approval),
    });
    this.parking = new Parking({
      ledger: this.ledger,
      logger: deps.logger,
      writer: this.writer,
      runs: this.runs,
      apply: (run, input) => this.apply(run, input),
      halt: (run, reason, message) => this.halt(run, reason, message),
      enqueue: (run) => {
        if (deps.shared) {
          void this.waitInDatabase(run);
          return;
        }
        this.admission.enqueue(run);
        this.publishUpdate(run);
        this.pumpOnItsOwn();
      },
      publishUpdate: (run) => this.publishUpdate(run),
      onResponse: (run, id, usage) => this.onResponse(run, id, usage),
      failed: (error) => this.writeFailed(error),
      workerId: deps.worker.id,
      sharedQueue: deps.shared !== undefined,
    });
    this.broker = new PermissionBroker(
      this.ledger,
      this.approvals,
      {
        apply: (run, input) => this.apply(run, input),
        releaseSlot: (run) => {
          this.admission.release(run.executionId);
          this.pump();
        },
        claimSlot: (run) => this.admission.claim(run),
        halt: (run, reason, message) => this.halt(run, reason, message),
        publishUpdate: (run) => this.publishUpdate(run),
      },
      deps.env.approvalHoldMs,
    );
  }

  /**
   * Starts a run: refused (a `budget_exhausted` domain error naming the budget, nothing written)
   * when a monthly budget is spent; refused too while storage refuses runs, but recorded (the run
   * ends at once, failed, saying why; an `insufficient_storage` error names it); otherwise queued,
   * and started as soon as the limits allow.
   */
  async start(request: RunRequest): Promise<ExecutionLive> {
    const now = Date.now();
    const storage = this.deps.storage?.refusal();
    const engine = this;
    let queued: number | undefined;
    let executionId: number;
    try {
      executionId = await this.ledger.write(function* (tx) {
        yield* assertBudgetLeft(tx, request.agent, now);
        queued = yield* engine.queueRun(tx, request, now);
        return queued;
      });
    } catch (error) {
      // Written, then not committed: the run was never queued.
      if (queued !== undefined) this.discard(queued);
      throw error;
    }
    const run = this.expectCreated(executionId);
    if (storage) {
      this.created.delete(executionId);
      this.refuse(run, { status: 'failed', errorCode: storage.code, errorMessage: storage.message });
      throw new DomainError('insufficient_storage', storage.message, undefined, {
        executionId,
        reason: storage.code,
      });
    }
    this.admit(executionId);
    return this.publishedView(run);
  }

  /**
   * Writes the queued execution row and nothing else, inside a trigger's own transaction (a
   * schedule's firing and its run commit together). Nothing runs until `admit`, which the caller
   * calls after its commit (or `discard`, when it rolled back).
   */
  *queueRun(store: Store, request: RunRequest, now: number): Plan<number> {
    const { agent } = request;
    const prompt = request.prompt ?? agent.defaultPrompt;
    const origin = {
      trigger: request.trigger,
      scheduleId: request.scheduleId ?? null,
      workflowRunId: request.workflowRunId ?? null,
      workflowStepKey: request.workflowStepKey ?? null,
    };
    const parentId = request.parentExecutionId ?? null;
    const executionId = yield* insertQueuedExecution(store, {
      agentId: agent.id,
      prompt,
      model: agent.model,
      ...origin,
      parentExecutionId: parentId,
      forked: request.forked ?? false,
      limits: limitsOf(request),
      createdAt: now,
    });
    const triggerName = yield* getTriggerName(store, origin);
    const logCap = yield* runLogCapBytes(store);
    const workOf = parentId === null ? executionId : yield* chainRootOf(store, parentId);
    const run = newActiveRun(request, {
      executionId,
      prompt,
      origin: { ...origin, triggerName },
      createdAt: now,
      ledger: this.ledger,
      output: this.writer.open(executionId, 0, logCap),
      workOf,
      onResponse: (active, id, usage) => this.onResponse(active, id, usage),
    });
    this.created.set(executionId, run);
    if (this.deps.shared) {
      // Whichever worker claims it starts it from here (a continue resumes its parent's session).
      if (request.from) yield* setStartPoint(store, executionId, { at: now, attempt: 1, from: request.from });
      yield* this.deps.shared.announce(store);
    }
    return executionId;
  }

  /** Forgets a run that `createRun` wrote in a transaction that then rolled back. */
  discard(executionId: number): void {
    this.created.delete(executionId);
  }

  /** Queues a run that `createRun` wrote, once the caller's transaction has committed. */
  admit(executionId: number): void {
    const run = this.expectCreated(executionId);
    this.created.delete(executionId);
    if (this.deps.shared) {
      // Any worker's to claim: this one looks at once (the others were told at the commit).
      this.emit({ type: 'run.queued', execution: this.publishedView(run) });
      this.claimer?.look();
      return;
    }
    this.runs.set(executionId, run);
    this.admission.enqueue(run);
    this.emit({ type: 'run.queued', execution: this.publishedView(run) });
    this.pump();
  }

  /** Why a run of this agent would not start now, read on `store`, without starting or writing anything. */
  *refusal(store: Store, agent: AgentConfiguration, now: number): Plan<Refusal | null> {
    const breach = yield* monthlyBreachOf(store, agent, now);
    if (breach) return { kind: 'budget', message: breach.message };
    const storage = this.storageRefusal();
    if (storage) return storage;
    const circuit = this.breaker.snapshot();
    if (circuit.state === 'open' && this.breaker.msUntilHalfOpen() > 0) {
      return {
        kind: 'breaker',
        message: `The circuit breaker is open after ${circuit.consecutiveFailures} transient failures in a row (last: ${circuit.lastFailure ?? 'unknown'})`,
      };
    }
    return null;
  }

  /** Why no run may start now as far as storage goes (free space below the floor, or writes failing). */
  storageRefusal(): Refusal | null {
    const refusal = this.deps.storage?.refusal();
    return refusal ? { kind: 'storage', message: refusal.message } : null;
  }

  /**
   * Stops a queued, waiting, running or awaiting-approval run; false if it is none of these
   * (unknown, or already ended).
   */
  cancel(executionId: number): Promise<boolean> {
    return this.stop(executionId, 'cancelled', null);
  }

  /**
   * Stops a run for a reason; `budget` ends it `budget_exceeded` with `message`. A run in memory
   * is stopped before this returns its promise; a parked one once its row is read.
   */
  async stop(executionId: number, reason: StopReason, message: string | null): Promise<boolean> {
    const run = this.runs.get(executionId) ?? (await this.takeUpParked(executionId));
    if (!run || run.state.phase === 'ended' || run.state.phase === 'parked') return false;
    this.halt(run, reason, message);
    return true;
  }

  /**
   * A run in the database only, taken up to be stopped: a parked one, or (with a shared queue) a
   * queued one; undefined when there is none (or its row cannot be read: logged).
   */
  private async takeUpParked(executionId: number): Promise<ActiveRun | undefined> {
    try {
      return (
        (await this.parking.takeUpParked(executionId)) ??
        (this.deps.shared ? await this.takeUpQueued(executionId) : undefined)
      );
    } catch (error) {
      this.writeFailed(error);
      return undefined;
    }
  }

  /** A person's answer to a waiting tool call (a second answer is refused, naming the first). */
  decideApproval(approvalId: number, input: DecideApprovalInput, actor: DecisionActor): Promise<ApprovalDto> {
    return this.approvals.decide(approvalId, input, actor);
  }

  /**
   * At start: every pending approval's expiry is armed again (those that passed while the server was
   * down expire now), and a run whose calls were all answered meanwhile resumes.
   */
  async recoverWaitingRuns(): Promise<void> {
    await this.approvals.rearm();
    for (const executionId of await this.ledger.read(awaitingRunsWithoutPendingApproval))
      await this.parking.wake(executionId);
  }

  /** An answer another process recorded, to a call whose process waits on this worker. */
  answerArrived(approvalId: number): Promise<void> {
    return this.approvals.answerArrived(approvalId).catch((error: unknown) => this.writeFailed(error));
  }

  /**
   * A call was answered and no call waits for it here: its run is woken, or (with a shared queue)
   * the worker whose process still waits for it is told.
   */
  private async answeredWithoutWaiter(approval: Approval): Promise<void> {
    const { shared, worker } = this.deps;
    const { executionId } = approval;
    if (shared) {
      const position = await this.ledger.read((store) => getRunPosition(store, executionId));
      const holder = position?.status === 'awaiting_approval' ? position.workerId : null;
      if (holder && holder !== worker.id) {
        this.ledger.record((tx) =>
          shared.tellHolder(tx, { executionId, approvalId: approval.id, workerId: holder }),
        );
        return;
      }
    }
    await this.parking.wake(executionId);
  }

  /** Runs parked for a person whose worker was reaped: those answered meanwhile resume. */
  async wakeAnswered(executionIds: readonly number[]): Promise<void> {
    for (const executionId of executionIds) await this.parking.wake(executionId);
  }

  /** The settings were saved: limits and the breaker follow at once, and waiting runs start if they now may. */
  followSettings(settings: EngineSettings): void {
    this.settings = settings;
    this.pump();
  }

  /** Starts waiting runs the limits now allow (e.g. after a setting changed). */
  pump(): void {
    this.claimer?.look();
    const moved = this.admission.pump((run) => this.launchOrRefuse(run));
    // Everyone behind moved up.
    if (moved) for (const waiting of this.admission.waitingRuns) this.publishUpdate(waiting);
  }

  /** 1-based place in the queue, or null when not queued. */
  queuePosition(executionId: number): number | null {
    return this.admission.position(executionId) ?? this.queueView?.position(executionId) ?? null;
  }

  /** Why a queued run waits besides its place (labels this worker lacks), or null. */
  waitReason(executionId: number): string | null {
    return this.admission.waitReason(executionId) ?? this.queueView?.waitReason(executionId) ?? null;
  }

  /**
   * An agent's required labels changed: its runs follow the edit (a later attempt too; the rest of
   * the agent stays as it was when they were queued), and waiting ones start if this worker now may
   * run them. The edit is committed: a pump that fails is logged, not thrown at the caller.
   */
  agentLabelsChanged(agentId: number, requiredLabels: readonly string[]): void {
    for (const run of this.runs.values()) if (run.agentId === agentId) run.requiredLabels = requiredLabels;
    const waiting = this.admission.waitingRuns.filter((run) => run.agentId === agentId);
    for (const run of waiting) this.publishUpdate(run);
    if (waiting.length > 0) this.pumpOnItsOwn();
  }

  /** The run's live view while this process runs it (or holds its ending unstored); undefined once it has ended. */
  liveView(executionId: number): ExecutionLive | undefined {
    const run = this.runs.get(executionId);
    return run ? this.publishedView(run) : this.unrecorded.get(executionId)?.view;
  }

  /**
   * Stores the endings the store refused, oldest first, announcing each once stored. Rejects with
   * the first write error (the store still refusing): the storage monitor, or the engine's own
   * retry, calls this until it does not. One pass at a time: a call during a pass joins it.
   */
  recordPendingEndings(): Promise<void> {
    this.recordingEndings ??= this.storePendingEndings().finally(() => {
      this.recordingEndings = undefined;
    });
    return this.recordingEndings;
  }

  private async storePendingEndings(): Promise<void> {
    for (const [executionId, ending] of this.unrecorded) {
      const stored = await ending.record();
      this.unrecorded.delete(executionId);
      this.announceEnding(ending.view, stored);
    }
  }

  /**
   * A run ended but its ending was refused: it is kept (its view shows the ending) and stored as
   * soon as the store takes it, so no run stays `running` without a process. A storage fault stops
   * every run, and the storage monitor tries again; any other refusal (a database restarting, a
   * lost connection) is tried again here, after 1 s, doubling to 30 s.
   */
  private keepEnding(view: ExecutionLive, record: () => Promise<boolean>, error: unknown): void {
    this.unrecorded.set(view.id, { view, record });
    this.emit({ type: 'run.updated', execution: view });
    const fault = storageFaultOf(error);
    if (fault) {
      this.storageFailed(fault);
      return;
    }
    this.deps.logger.error(
      { err: error, executionId: view.id },
      'a run ending could not be stored; it is tried again',
    );
    this.retryEndingsLater();
  }

  private retryEndingsLater(): void {
    const retry = this.endingRetry;
    if (retry.timer) return;
    retry.timer = setTimeout(() => {
      retry.timer = undefined;
      this.recordPendingEndings().then(
        () => {
          retry.delayMs = ENDING_RETRY_FIRST_MS;
        },
        (err: unknown) => {
          retry.delayMs = Math.min(retry.delayMs * 2, ENDING_RETRY_MAX_MS);
          this.deps.logger.warn({ err, retryInMs: retry.delayMs }, 'run endings still cannot be stored');
          this.retryEndingsLater();
        },
      );
    }, retry.delayMs);
    retry.timer.unref();
  }

  get activeCount(): number {
    return this.runs.size;
  }

  get queuedCount(): number {
    return this.admission.waitingRuns.length;
  }

  circuit(): CircuitBreakerDto {
    return this.breaker.snapshot();
  }

  /**
   * The server drains before it stops: no queued run starts any more (runs may still be queued;
   * they say why they wait). Running runs go on; a run waiting for a person may still be answered.
   */
  drain(): DrainStart {
    this.admission.drain();
    this.draining = { endedSince: 0 };
    for (const waiting of this.admission.waitingRuns) this.publishUpdate(waiting);
    let running = 0;
    for (const run of this.runs.values()) if (hasProcess(run.state.phase)) running += 1;
    return { running, queued: this.runs.size - running };
  }

  /**
   * This worker took itself for dead (no beat stored within its fence, see localWorker.ts): it
   * claims nothing more, and every run it holds is handed back now, its process stopped, so that
   * no run goes on here once a reaper may requeue it elsewhere. Writes the database refuses are
   * left to the reaper. Resolves once the hand-back's writes are done or failed.
   */
  async fence(): Promise<void> {
    this.fenced = true;
    await this.handBack();
  }

  /** The worker is back in the database's books (fenced before): it claims again. */
  rejoin(): void {
    this.fenced = false;
    this.pump();
  }

  /** Resolves once no run of this engine has a process (each finished, or parked for a person). */
  whenIdle(): Promise<void> {
    if (!this.anyProcess()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * The drain is over: each run still under way is handed back (its process stopped, the attempt
   * recorded with what it spent, the run left `queued` for the next start); queued runs are left
   * for the next start too; a run waiting for a person is parked, as at every stop. Resolves once
   * their writes are done.
   */
  async handBack(): Promise<HandBackCounts> {
    const runs = [...this.runs.values()];
    const stopped = new Set<number>();
    const left: Promise<void>[] = [];
    for (const run of runs) {
      const move = handBackMove(run.state.phase);
      if (move === 'stop') {
        stopped.add(run.executionId);
        this.halt(run, 'handback', null);
      } else if (move === 'park' && run.state.phase === 'awaiting') {
        this.approvals.endHold(run.state.approvalId);
      } else if (move === 'leave') {
        left.push(this.leaveQueued(run));
      }
    }
    await Promise.allSettled([...runs.map((run) => run.done), ...left]);
    await this.settled();
    const counts: HandBackCounts = { finished: this.draining?.endedSince ?? 0, handedBack: 0, leftQueued: 0 };
    for (const run of runs) {
      if (run.state.phase !== 'handed_back') continue;
      if (stopped.has(run.executionId)) counts.handedBack += 1;
      else counts.leftQueued += 1;
    }
    return counts;
  }

  /**
   * At start: the runs the last server left queued (handed back, or never started) are queued again,
   * each for the attempt and from the start point it was left with.
   */
  async resumeHandedBack(): Promise<number> {
    // A shared queue's workers claim them like any queued run.
    if (this.deps.shared) return 0;
    const rows = await this.ledger.read(handedBackExecutions);
    for (const row of rows) {
      const run = await this.parking.revive(row, row.handedBack.from, row.handedBack.attempt);
      if (!run) continue;
      this.admission.enqueue(run);
      this.emit({ type: 'run.queued', execution: this.publishedView(run) });
    }
    if (rows.length > 0) this.pump();
    return rows.length;
  }

  /**
   * Ends every run (`cancelled`, reason `shutdown`; after a drain, handed back instead) and waits
   * for their final writes. A run waiting for a person is parked instead: its approval outlives the
   * server. Endings that storage still refuses are given up on: the next start finds those runs and
   * ends them `interrupted`.
   */
  async shutdown(): Promise<void> {
    // After a drain, what is left is handed back, not cancelled (a run queued since, too).
    if (this.draining) await this.handBack();
    this.claimer?.stop();
    this.queueView?.stop();
    this.admission.stop();
    this.approvals.stop();
    const runs = [...this.runs.values()];
    for (const run of runs) {
      if (run.state.phase === 'awaiting') this.approvals.endHold(run.state.approvalId);
      else if (run.state.phase !== 'parking') this.halt(run, 'shutdown', null);
    }
    await Promise.allSettled(runs.map((run) => run.done));
    await this.settled();
    clearTimeout(this.endingRetry.timer);
    if (this.unrecorded.size === 0) return;
    try {
      await this.recordPendingEndings();
    } catch (error) {
      this.deps.logger.warn(
        { err: error, executionIds: [...this.unrecorded.keys()] },
        'run endings could not be stored before shutdown; the next start records these runs as interrupted',
      );
    }
  }

  /** Every write handed in so far has settled: the output's flushes and the ledger's. */
  private async settled(): Promise<void> {
    this.writer.flush();
    await this.writer.flushed();
    await this.ledger.settled();
  }

  private anyProcess(): boolean {
    for (const run of this.runs.values()) if (hasProcess(run.state.phase)) return true;
    return false;
  }

  /** After a run's process ended: a drain waiting for the last one hears of it. */
  private noteProcessEnded(): void {
    if (this.idleWaiters.length === 0 || this.anyProcess()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** A run without a process, left queued for the next start. */
  private leaveQueued(run: ActiveRun): Promise<void> {
    this.retryTimers.cancel(run.executionId);
    this.admission.withdraw(run.executionId);
    this.apply(run, { type: 'hand_back' });
    return this.recordHandBack(run, null);
  }

  /**
   * Writes a handed-back run (see handBack.ts): a line saying why, the stopped attempt and what its
   * processes spent, its start point for the next start. The run leaves memory. Storage failing
   * (or, fenced, the database out of reach), nothing is marked: the next start or a reaper ends the
   * run `interrupted`, as after a crash; settled by a reaper already, it is left as it is.
   */
  private async recordHandBack(run: ActiveRun, attempt: NewExecutionAttempt | null): Promise<void> {
    const notice = handBackNotice(attempt !== null);
    run.output.addStep(notice.step);
    run.output.addLog(notice.log);
    run.output.flush();
    run.committedSeq = run.output.lastSeq;
    const figures = finalFigures(run.usage.responses(), run.results, run.createdAt, run.earlier);
    const progress = { ...figures.totals, numTurns: figures.numTurns, apiRetryCount: run.apiRetryCount };
    const write = {
      execution: { id: run.executionId, agentId: run.agentId, createdAt: run.createdAt },
      handedBack: handedBackRecord(run.state, Date.now()),
      progress,
      rows: figures.models,
      previous: run.spend.lastWritten,
      attempt,
      workerId: this.deps.worker.id,
    };
    this.runs.delete(run.executionId);
    try {
      if (!(await this.ledger.write((tx) => recordHandBack(tx, write)))) {
        this.deps.logger.warn(
          { executionId: run.executionId },
          'a handed-back run was settled by another process while this worker was cut off; left as it is',
        );
        return;
      }
    } catch (error) {
      if (!storageFaultOf(error) && !this.fenced) throw error;
      this.deps.logger.warn(
        { err: error, executionId: run.executionId },
        'a handed-back run could not be recorded; the next start or a reaper ends it interrupted',
      );
    }
    Object.assign(run.view, progress, spendView(figures.models, figures.costMicros), {
      nextAttemptAt: null,
      ...(attempt && {
        errorCode: attempt.errorCode ?? null,
        errorMessage: attempt.errorMessage ?? null,
        attempts: [...run.view.attempts, attemptDto(attempt)],
      }),
    });
    this.publishUpdate(run);
    this.deps.logger.info(
      { executionId: run.executionId, nextAttempt: run.state.attempt, hadProcess: attempt !== null },
      'execution handed back for the next start',
    );
  }

  /**
   * The admission's start: the run takes its slot now, and starts once it is marked running (in
   * the transaction that checks its monthly budgets), or gives the slot back.
   */
  private launchOrRefuse(run: ActiveRun): boolean {
    const storage = this.deps.storage?.refusal();
    if (storage) {
      this.refuse(run, { status: 'failed', errorCode: storage.code, errorMessage: storage.message });
      return false;
    }
    void this.launch(run);
    return true;
  }

  /** Ends a run that has not started (no slot, no process), saying why. */
  private refuse(run: ActiveRun, ending: RunEnding): void {
    this.apply(run, { type: 'refuse', ending });
    void this.finish(run, null);
  }

  /** A launch that did not start its process gives its slot to the next run. */
  private giveSlotBack(run: ActiveRun): void {
    this.admission.release(run.executionId);
    this.pumpOnItsOwn();
  }

  /** Marks the run running, then starts its attempt; a spent budget or a failed write ends it instead. */
  private async launch(run: ActiveRun): Promise<void> {
    const at = Date.now();
    const workerId = this.deps.worker.id;
    const { attempt } = run.state;
    const from = resumeOf(run);
    const workflowCap = this.remainingWorkflowCap(run);
    let marked: { maxBudgetUsd: number | undefined; contextTokens: number } | { breach: BudgetBreach };
    try {
      marked = await this.ledger.write(function* (tx) {
        const breach = yield* monthlyBreachOf(tx, run.agent, at);
        if (breach) return { breach };
        yield* markExecutionRunning(tx, run.executionId, { startedAt: at, attempt, workerId });
        return {
          maxBudgetUsd: yield* sdkBudgetUsd(tx, run.agent, at, workflowCap),
          contextTokens: from ? (yield* transcriptSummary(tx, from.sessionId)).contextTokens : 0,
        };
      });
    } catch (error) {
      this.writeFailed(error);
      // Not a storage fault (which stopped every run): this run fails alone, saying why.
      if (run.state.phase === 'queued')
        this.refuse(run, { status: 'failed', errorCode: 'launch_failed', errorMessage: String(error) });
      this.giveSlotBack(run);
      return;
    }
    // Stopped (or handed back) while it was marked: its ending is written after.
    if (run.state.phase !== 'queued') return this.giveSlotBack(run);
    if ('breach' in marked) {
      this.giveSlotBack(run);
      const { breach } = marked;
      run.budgetStop = breachFigures(breach);
      this.refuse(run, {
        status: 'budget_exceeded',
        errorCode: 'budget_exceeded',
        errorMessage: breach.message,
      });
      return;
    }
    this.apply(run, { type: 'launch', at });
    run.view.startedAt ??= at;
    run.view.workerId = workerId;
    run.view.attempt = run.state.attempt;
    run.view.nextAttemptAt = null;
    run.attemptStart = { at, costMicros: run.spend.totalMicros, apiRetries: run.apiRetryCount };
    this.emit({ type: 'run.started', execution: this.publishedView(run) });

    if (from) prepareResume(run, from, marked.contextTokens);
    // A run that asks, or one woken by an answer (its allow is used in the callback), gets a callback.
    const asks = run.agent.unlistedTools === 'ask' || from?.why === 'approval';
    const translator = new MessageTranslator();
    const toolInputs = new Map<string, Record<string, unknown>>();
    run.process = startAttempt(
      {
        executionId: run.executionId,
        agent: run.agent,
        prompt: from?.prompt ?? run.prompt,
        env: this.deps.env,
        logger: this.deps.logger,
        maxBudgetUsd: marked.maxBudgetUsd,
        timeoutSeconds: run.timeoutSeconds,
        tools: this.deps.toolsFor?.(run.agent),
        canUseTool: asks ? this.broker.callbackFor(run) : undefined,
        sessionStore: this.transcripts,
        resume: from && { sessionId: from.sessionId, fork: from.fork },
        workOf: run.workOf,
      },
      {
        onMessage: (message) => this.onMessage(run, translator, toolInputs, message),
        onSpawn: (pid) => this.deps.processes?.track(run.executionId, pid),
      },
    );
    run.done = run.process.done
      .then((result) => this.afterAttempt(run, result))
      .catch((error: unknown) =>
        this.deps.logger.error({ executionId: run.executionId, err: error }, 'execution crashed'),
      )
      .then(() => {
        this.announceSlotFreed();
        this.pumpOnItsOwn();
        this.noteProcessEnded();
      });
  }

  /** Claims this worker's runs from the shared queue while it has room. */
  private claimerOf(shared: SharedQueue): Claimer {
    const { store, worker } = this.deps;
    return new Claimer(
      {
        mayStart: () => !this.fenced && this.admission.hasRoom() && !this.deps.storage?.refusal(),
        claim: () =>
          transaction(store, function* (tx) {
            const claimed = yield* claimRun(tx, worker, Date.now);
            if (!claimed) return null;
            const row = yield* getExecutionRow(tx, claimed.executionId);
            return row ? { row, attempt: claimed.attempt } : null;
          }),
        take: (claimed) => this.take(claimed),
        failed: (error) => this.writeFailed(error, 'queued runs could not be claimed'),
      },
      shared.pollMs,
    );
  }

  /**
   * A run this worker claimed (marked `running` on it) starts here, from the start point it was
   * queued with, for the attempt it waits for. Rebuilt from its row, as a parked run is woken.
   */
  private async take({ row, attempt }: ClaimedRow): Promise<void> {
    // Claimed as the fence fell: back to the queue, for a worker whose lease holds.
    if (this.fenced) {
      this.releaseToQueue(row.id);
      return;
    }
    let run: ActiveRun | undefined;
    try {
      run = await this.parking.revive(row, startPointOf(row), row.handedBack?.attempt ?? attempt);
    } catch (error) {
      // Never `running` without a process: it goes back to the queue (or, storage failing, to the reaper).
      this.writeFailed(error, 'a claimed run could not be started; it is queued again', {
        executionId: row.id,
      });
      this.releaseToQueue(row.id);
      return;
    }
    if (!run) return;
    this.admission.enqueue(run);
    this.pump();
  }

  /** A claimed run this worker will not start goes back to the queue, and the workers are told. */
  private releaseToQueue(executionId: number): void {
    const { worker, shared } = this.deps;
    this.ledger.record(function* (tx) {
      yield* releaseClaim(tx, executionId, worker.id);
      if (shared) yield* shared.announce(tx);
    });
  }

  /**
   * With a shared queue, a run that waits again (a retry, an answered approval) leaves this
   * worker: its start point is stored with it, for any worker to claim when it is due.
   */
  private async waitInDatabase(run: ActiveRun): Promise<void> {
    this.retryTimers.cancel(run.executionId);
    this.admission.withdraw(run.executionId);
    this.apply(run, { type: 'hand_back' });
    this.runs.delete(run.executionId);
    run.view.status = 'queued';
    const startPoint = handedBackRecord(run.state, Date.now());
    const shared = this.deps.shared;
    try {
      await this.ledger.write(function* (tx) {
        yield* setStartPoint(tx, run.executionId, startPoint);
        if (shared) yield* shared.announce(tx, run.view.nextAttemptAt);
      });
    } catch (error) {
      // Left queued without its start point: it starts over from its prompt.
      this.writeFailed(error, 'a waiting run’s start point could not be stored', {
        executionId: run.executionId,
      });
    }
    this.emit({ type: 'run.updated', execution: run.view });
  }

  /**
   * A queued run of the shared queue, taken off it to be stopped: marked this worker's (so no
   * worker claims it meanwhile) and rebuilt; undefined when it is not queued (a worker claimed it).
   */
  private async takeUpQueued(executionId: number): Promise<ActiveRun | undefined> {
    const row = await this.ledger.write((tx) => takeQueuedExecution(tx, executionId, this.deps.worker.id));
    return row && this.parking.revive(row, startPointOf(row), row.handedBack?.attempt ?? row.attempt);
  }

  /** A run of the shared queue ended its attempt: every worker may claim into the freed slot. */
  private announceSlotFreed(): void {
    const shared = this.deps.shared;
    if (shared) this.ledger.record((tx) => shared.announce(tx));
  }

  /**
   * A pump on a timer, after an attempt or on a wake-up from another process, where nothing would
   * catch what it throws: a storage fault halts the engine as anywhere else, the rest is logged.
   */
  pumpOnItsOwn(): void {
    try {
      this.pump();
    } catch (error) {
      const fault = storageFaultOf(error);
      if (fault) this.storageFailed(fault);
      else this.deps.logger.error({ err: error }, 'starting waiting runs failed');
    }
  }

  private remainingWorkflowCap(run: ActiveRun): number | null {
    return run.workflowCapMicros === null ? null : Math.max(0, run.workflowCapMicros - run.spend.totalMicros);
  }

  /** A message's writes failing on storage end the run (and every other); nothing reaches the SDK's loop. */
  private onMessage(
    run: ActiveRun,
    translator: MessageTranslator,
    toolInputs: Map<string, Record<string, unknown>>,
    message: SDKMessage,
  ): void {
    try {
      this.takeMessage(run, translator, toolInputs, message);
    } catch (error) {
      const fault = storageFaultOf(error);
      if (!fault) throw error;
      this.storageFailed(fault);
    }
  }

  private takeMessage(
    run: ActiveRun,
    translator: MessageTranslator,
    toolInputs: Map<string, Record<string, unknown>>,
    message: SDKMessage,
  ): void {
    const { ledger } = this;
    if (message.type === 'system' && message.subtype === 'init') {
      const init = {
        sessionId: message.session_id,
        apiKeySource: message.apiKeySource,
        model: message.model,
      };
      ledger.record((tx) => recordExecutionInit(tx, run.executionId, init));
      Object.assign(run.view, init);
      const expected = run.resumeCheck?.sessionId;
      const warning = expected ? sessionWarning(expected, message.session_id) : null;
      if (warning) noteWarning(ledger, run, warning);
    }
    if (message.type === 'assistant')
      for (const block of message.message.content)
        if (block.type === 'tool_use') toolInputs.set(block.id, block.input as Record<string, unknown>);
    if (message.type === 'result') {
      run.view.resultText = this.resultTextOf(message);
      run.view.structuredOutput = structuredOutputOf(message);
    }
    // Usage changes reach the spend guard through the accumulator's callback (onResponse).
    const usageChanged = run.usage.observe(message);
    const retries = run.attemptStart.apiRetries + (run.process?.apiRetries ?? 0);
    const retriesChanged = retries !== run.apiRetryCount;
    run.apiRetryCount = retries;
    const { steps, logs } = translator.translate(message);
    for (const step of steps) {
      run.output.addStep(step);
      if (step.kind === 'tool_use' && step.toolName !== 'StructuredOutput') run.toolCalls += 1;
    }
    for (const log of logs) run.output.addLog(log);
    let denied = false;
    for (const denial of denialsIn(message, toolInputs)) denied = noteDenial(ledger, run, denial) || denied;
    if (denied) this.publishUpdate(run);
    if (usageChanged || retriesChanged) run.output.setProgress(this.progressOf(run));
  }

  /** A response's figures changed: spend is written and checked at once, and a reached budget stops the run. */
  private onResponse(run: ActiveRun, responseId: string, usage: ModelTokenUsage): void {
    if (run.resumeCheck) {
      // The first call of a resumed session: did it carry the history?
      const warning = contextWarning(run.resumeCheck.contextTokens, usage);
      run.resumeCheck = null;
      if (warning) noteWarning(this.ledger, run, warning);
    }
    const checked = run.spend.observe(responseId, usage, Date.now());
    Object.assign(run.view, spendView(run.spend.records(), run.spend.totalMicros));
    checked.then(
      (breach) => {
        if (!breach || run.state.phase !== 'running') return;
        run.budgetStop = breachFigures(breach);
        this.halt(run, 'budget', breach.message);
      },
      (error: unknown) => this.writeFailed(error),
    );
  }

  private progressOf(run: ActiveRun) {
    const progress = progressOf(
      run.spend.records(),
      run.earlier.numTurns + run.usage.responseCount,
      run.apiRetryCount,
    );
    Object.assign(run.view, progress);
    return progress;
  }

  /** A write failed: a storage fault ends every run; anything else is logged (`what` failed). */
  private writeFailed(error: unknown, what = 'a run write failed', fields: object = {}): void {
    const fault = storageFaultOf(error);
    if (fault) this.storageFailed(fault);
    else this.deps.logger.error({ err: error, ...fields }, what);
  }

  /**
   * Storage failed under a write: every run ends `failed` (storage_error), its process stopped and
   * its slot freed, keeping what was committed before. Their last unstored lines are dropped; their
   * endings are stored as soon as storage takes writes again (recordPendingEndings).
   */
  private storageFailed(fault: StorageFault): void {
    this.deps.storage?.reportFault(fault);
    // Ending a run writes too, and fails again: the outer call goes on with the runs left.
    if (this.haltingForStorage) return;
    this.haltingForStorage = true;
    try {
      for (const run of [...this.runs.values()]) {
        run.output.close();
        this.halt(run, 'storage', this.storageMessage(fault));
      }
    } finally {
      this.haltingForStorage = false;
    }
  }

  private storageMessage(fault: StorageFault): string {
    const cause = describeStorageFault(fault, this.deps.env.dataDir);
    return `Stopped: the run's output could not be stored. ${cause} What was stored before is kept.`;
  }

  /** After a group commit: lines go out, and the live view with the figures stored in it. */
  private committed(outputs: CommittedOutput[]): void {
    for (const batch of outputs) {
      const run = this.runs.get(batch.executionId);
      if (run) run.committedSeq = batch.seq;
      if (batch.steps.length > 0 || batch.logs.length > 0) {
        const { executionId, seq, steps, logs } = batch;
        this.emit({ type: 'run.output', executionId, seq, steps, logs });
      }
      if (batch.progress && run) this.publishUpdate(run);
    }
  }

  private halt(run: ActiveRun, reason: StopReason, message: string | null): void {
    if (run.state.phase === 'ended') return;
    const wasWaiting = run.state.phase === 'queued' || run.state.phase === 'backoff';
    const wasAsking = run.state.phase === 'awaiting';
    this.apply(run, { type: 'stop', reason, message });
    if (run.state.phase === 'stopping') {
      // A call waiting in the callback is dropped with the run (its callback returns at once).
      if (wasAsking) this.approvals.dropPending(run.executionId);
      run.process?.stop(reason, message);
      return;
    }
    if (!wasWaiting) return;
    this.retryTimers.cancel(run.executionId);
    const withdrawn = this.admission.withdraw(run.executionId);
    this.finish(run, null);
    if (withdrawn) for (const waiting of this.admission.waitingRuns) this.publishUpdate(waiting);
  }

  /** Retries a transient failure while the policy allows; otherwise the run ends. */
  private async afterAttempt(run: ActiveRun, result: AttemptResult): Promise<void> {
    this.admission.release(run.executionId);
    this.deps.processes?.untrack(run.executionId);
    run.process = undefined;
    if (result.result) run.results.push(result.result);
    run.apiRetryCount = run.attemptStart.apiRetries + result.apiRetries;
    const { storageFault } = result;
    if (storageFault) this.storageFailed(storageFault);
    if (run.state.phase === 'parking') {
      await this.parking.park(run).catch((error: unknown) => this.writeFailed(error));
      return;
    }
    const ending = {
      ...result.ending,
      errorMessage: storageFault
        ? this.storageMessage(storageFault)
        : result.ending.errorMessage && this.deps.masker.mask(result.ending.errorMessage),
    };
    // A hand-back says so in its own words (recordHandBack).
    if (ending.status !== 'completed' && ending.errorCode !== HANDED_BACK) {
      run.output.addLog({ level: 'error', text: `[${ending.status}] ${ending.errorMessage ?? ''}` });
    }
    run.output.setProgress(this.progressOf(run));
    run.output.flush();
    this.breaker.record(verdictOf(ending));

    const attempt = run.state.attempt;
    const retry = planRetry(
      ending,
      run.state.phase === 'running' || run.state.phase === 'awaiting',
      {
        attempt: attemptsCounted(attempt, run.handBacks),
        runRetries: run.runRetries,
        baseDelayMs: run.agent.runRetryDelaySeconds * 1000,
      },
      Date.now(),
    );
    const attemptRow: NewExecutionAttempt = {
      executionId: run.executionId,
      attempt,
      status: ending.status,
      startedAt: run.attemptStart.at,
      finishedAt: result.finishedAt,
      errorCode: ending.errorCode,
      errorMessage: ending.errorMessage,
      apiRetryCount: result.apiRetries,
      costMicros: run.spend.totalMicros - run.attemptStart.costMicros,
      retryDelayMs: retry?.delayMs ?? null,
    };
    this.apply(run, { type: 'attempt_ended', ending, retryAt: retry?.retryAt ?? null });
    if (run.state.phase === 'backoff' && retry) await this.scheduleRetry(run, attemptRow, retry);
    else if (run.state.phase === 'handed_back') await this.recordHandBack(run, attemptRow);
    else await this.finish(run, attemptRow);
  }

  /** The failed attempt is recorded and announced; the run waits its delay, then queues again. */
  private async scheduleRetry(
    run: ActiveRun,
    attemptRow: NewExecutionAttempt,
    { delayMs, retryAt }: RetryPlan,
  ): Promise<void> {
    const { attempt } = attemptRow;
    const notice = retryNotice(attemptRow, run.runRetries + run.handBacks, delayMs);
    run.output.addStep(notice.step);
    run.output.addLog(notice.log);
    run.output.flush();
    try {
      await this.ledger.write((tx) => recordAttemptForRetry(tx, attemptRow, retryAt));
    } catch (error) {
      const fault = storageFaultOf(error);
      if (!fault) throw error;
      // The run waits in backoff: the fault ends it there, without its retry.
      this.storageFailed(fault);
      return;
    }
    // Stopped while the attempt was written: its ending is written after.
    if (run.state.phase !== 'backoff') return;
    Object.assign(run.view, {
      nextAttemptAt: retryAt,
      errorCode: attemptRow.errorCode ?? null,
      errorMessage: attemptRow.errorMessage ?? null,
    });
    run.view.attempts = [...run.view.attempts, attemptDto(attemptRow)];
    const ending = {
      status: 'failed' as const,
      errorCode: attemptRow.errorCode ?? null,
      errorMessage: attemptRow.errorMessage ?? null,
    };
    this.emit({ type: 'attempt.ended', execution: this.publishedView(run), attempt, ending, retryAt });
    // Due at `retryAt` (recorded above), for any worker to claim.
    if (this.deps.shared) return this.waitInDatabase(run);
    this.retryTimers.schedule(run.executionId, delayMs, () => {
      this.apply(run, { type: 'retry_due' });
      this.admission.enqueue(run);
      this.publishUpdate(run);
      this.pumpOnItsOwn();
    });
  }

  /**
   * The final write: end state, totals over all attempts, reconciled costs and the last attempt.
   * Never rejects: an ending storage refuses is kept until it takes writes again.
   */
  private async finish(run: ActiveRun, lastAttempt: NewExecutionAttempt | null): Promise<void> {
    if (run.state.phase !== 'ended') throw new Error(`finish() on a ${run.state.phase} run`);
    const { ending } = run.state;
    const { models, totals, costMicros, numTurns, lastResult } = finalFigures(
      run.usage.responses(),
      run.results,
      run.createdAt,
      run.earlier,
    );
    const allDenied =
      ending.status === 'completed' ? allDeniedWarning(run.toolCalls, run.denials.count) : null;
    if (allDenied) noteWarning(this.ledger, run, allDenied);
    run.output.flush();
    const finishedAt = Date.now();
    const firstStartedAt = run.view.startedAt;
    const resultText = lastResult ? this.resultTextOf(lastResult) : null;
    const structuredOutput = lastResult ? structuredOutputOf(lastResult) : null;
    Object.assign(run.view, {
      ...ending,
      ...totals,
      finishedAt,
      durationMs: firstStartedAt === null ? null : finishedAt - firstStartedAt,
      numTurns,
      resultText,
      structuredOutput,
      apiRetryCount: run.apiRetryCount,
      nextAttemptAt: null,
      ...spendView(models, costMicros),
      attempts: lastAttempt ? [...run.view.attempts, attemptDto(lastAttempt)] : run.view.attempts,
    });
    run.output.closeTruncation();
    run.output.flush();
    run.committedSeq = run.output.lastSeq;
    const finalView = this.publishedView(run);
    const write: OutcomeWrite = {
      execution: { id: run.executionId, agentId: run.agentId, createdAt: run.createdAt },
      outcome: {
        ...ending,
        finishedAt,
        durationMs: finalView.durationMs,
        numTurns,
        totals,
        resultText,
        structuredOutput,
        apiRetryCount: run.apiRetryCount,
        deniedToolCalls: run.denials.count,
        denials: run.denials.list(),
        warnings: run.warnings,
      },
      rows: models,
      previous: run.spend.lastWritten,
      lastAttempt,
      workerId: this.deps.worker.id,
    };
    const { events } = this;
    const commit = {
      execution: finalView,
      agent: run.agent,
      budget: run.budgetStop,
      timeoutSeconds: run.timeoutSeconds,
    };
    // The ending's event and outbox rows commit with it.
    const record = () =>
      this.ledger.write(function* (tx) {
        if (!(yield* recordExecutionOutcome(tx, write))) return false;
        yield* events.writeEnding(tx, commit);
        return true;
      });
    this.runs.delete(run.executionId);
    // Calls still waiting will never be answered now.
    this.approvals.dropPending(run.executionId);
    let stored: boolean;
    try {
      stored = await record();
    } catch (error) {
      // Ended all the same (no process, no slot); stored, and announced, once the store takes it.
      this.keepEnding(finalView, record, error);
      return;
    }
    this.announceEnding(finalView, stored);
  }

  /**
   * A stored ending goes out (pages, workflows, notifications). One the database refused because the
   * run is no longer this worker's (`stored` false) is only logged: whoever holds the run tells.
   */
  private announceEnding(execution: ExecutionLive, stored: boolean): void {
    if (!stored) {
      this.deps.logger.warn(
        { executionId: execution.id, status: execution.status },
        'a run’s ending was not recorded: while this worker was cut off or paused, another process settled the run or took it up; left as it is',
      );
      return;
    }
    if (this.draining) this.draining.endedSince += 1;
    this.emit({ type: 'run.ended', execution });
    this.deps.logger.info(
      {
        executionId: execution.id,
        status: execution.status,
        errorCode: execution.errorCode,
        attempts: execution.attempt,
      },
      'execution finished',
    );
  }

  private resultTextOf(result: SDKResultMessage): string | null {
    return result.subtype === 'success' ? this.deps.masker.mask(result.result) : null;
  }

  private apply(run: ActiveRun, input: RunInput): void {
    run.state = transition(run.state, input);
    run.view.status = statusOf(run.state);
  }

  private publishedView(run: ActiveRun): ExecutionLive {
    const queuePosition = this.admission.position(run.executionId);
    return {
      ...run.view,
      lastSeq: run.committedSeq,
      queuePosition,
      waitReason: queuePosition === null ? null : this.admission.holdReason(run),
    };
  }

  private publishUpdate(run: ActiveRun): void {
    this.emit({ type: 'run.updated', execution: this.publishedView(run) });
  }

  private emit(event: EngineEvent): void {
    this.events.emit(event, (error) =>
      this.deps.logger.error({ err: error, event: event.type }, 'event listener failed'),
    );
  }

  private expectCreated(executionId: number): ActiveRun {
    const run = this.created.get(executionId);
    if (!run)
      throw new Error(`execution ${executionId} was not created by this engine, or was admitted already`);
    return run;
  }
}
