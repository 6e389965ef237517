import type { ModelTokenUsage } from '../claude/usage';
import type { Logger } from '../core/logger';
import { getAgentRow } from '../db/queries/agents';
import { getApprovalRow, latestAnsweredApproval, pendingApprovalsOf } from '../db/queries/approvals';
import { recordExecutionCosts } from '../db/queries/costs';
import {
  chainRootOf,
  countHandedBackAttempts,
  countToolCalls,
  getExecutionCostRecords,
  getExecutionLive,
  getExecutionRow,
  markExecutionStatus,
  recordParkedProgress,
} from '../db/queries/executions';
import { runLogCapBytes } from '../db/queries/settings';
import type { Execution } from '../db/schema';
import { type ActiveRun, newActiveRun } from './activeRun';
import type { Ledger } from './ledger';
import type { OutputWriter } from './outputWriter';
import { noteAnswerDenied, resumePrompt } from './permissionBroker';
import { type RunInput, type StartPoint, type StopReason, statusOf } from './runState';
import { finalFigures } from './runTotals';
import { spendView } from './runView';

/** What parking needs of the engine: its runs, and the moves it keeps to itself. */
export interface ParkingHost {
  ledger: Ledger;
  logger: Logger;
  writer: OutputWriter;
  runs: Map<number, ActiveRun>;
  apply(run: ActiveRun, input: RunInput): void;
  halt(run: ActiveRun, reason: StopReason, message: string | null): void;
  /** Queues a woken run and lets the limits start it. */
  enqueue(run: ActiveRun): void;
  publishUpdate(run: ActiveRun): void;
  onResponse(run: ActiveRun, responseId: string, usage: ModelTokenUsage): void;
  /** A write failed (a storage fault stops every run). */
  failed(error: unknown): void;
  /** The worker this engine is: the one whose processes it parks. */
  workerId: string;
  /**
   * Several workers share the queue: a run whose process another worker holds (waiting in its
   * callback) is that worker's to wake when its hold ends, never woken here beside it.
   */
  sharedQueue: boolean;
}

/** How a parking attempt's ending reads: never recorded, the run is parked instead. */
const PARKED = { status: 'failed', errorCode: 'parked', errorMessage: null } as const;

/**
 * Runs that wait for a person without a process. A parked run lives in the database only (status
 * `awaiting_approval`, its approvals, what it spent): it holds no memory, no slot and no process, so
 * it outlives a restart. An answer wakes it: rebuilt from its row, queued, and resuming its session.
 */
export class Parking {
  /** Runs being woken (read, then rebuilt): one wake at a time per run. */
  private readonly waking = new Set<number>();

  constructor(private readonly host: ParkingHost) {}

  /**
   * The process of a run that waits for a person has ended: what it spent and said is stored, and
   * the run leaves memory. Answered while the process ended, it comes back at once.
   */
  async park(run: ActiveRun): Promise<void> {
    if (run.state.phase !== 'parking') return;
    const { approvalId } = run.state;
    this.host.apply(run, { type: 'attempt_ended', ending: PARKED, retryAt: null });
    const figures = finalFigures(run.usage.responses(), run.results, run.createdAt, run.earlier);
    const execution = { id: run.executionId, agentId: run.agentId, createdAt: run.createdAt };
    const progress = { ...figures.totals, numTurns: figures.numTurns, apiRetryCount: run.apiRetryCount };
    const previous = run.spend.lastWritten;
    run.output.flush();
    // Out of memory first: an answer from now on wakes it from the database.
    this.host.runs.delete(run.executionId);
    const { workerId } = this.host;
    const answered = this.host.ledger.write(function* (tx) {
      // Settled elsewhere meanwhile (see recordParkedProgress): nothing here is its to store or wake.
      if (!(yield* recordParkedProgress(tx, run.executionId, progress, workerId))) return false;
      yield* recordExecutionCosts(tx, execution, figures.models, previous);
      return (yield* getApprovalRow(tx, approvalId))?.status !== 'pending';
    });
    Object.assign(run.view, progress, spendView(figures.models, figures.costMicros));
    run.committedSeq = run.output.lastSeq;
    this.host.publishUpdate(run);
    this.host.logger.info({ executionId: run.executionId, approvalId }, 'execution parked for approval');
    if (await answered) await this.wake(run.executionId);
  }

  /**
   * A parked run whose calls are all answered comes back: queued to resume its session, told the
   * answer; or, when nobody answered and the policy says so, it fails without a process. Never
   * throws: a failed read or write is the engine's (`failed`).
   */
  async wake(executionId: number): Promise<void> {
    if (this.host.runs.has(executionId) || this.waking.has(executionId)) return;
    this.waking.add(executionId);
    try {
      await this.wakeParked(executionId);
    } catch (error) {
      this.host.failed(error);
    } finally {
      this.waking.delete(executionId);
    }
  }

  private async wakeParked(executionId: number): Promise<void> {
    const { host } = this;
    const { ledger } = host;
    const parked = await ledger.read(function* (store) {
      if ((yield* pendingApprovalsOf(store, executionId)).length > 0) return undefined;
      const row = yield* getExecutionRow(store, executionId);
      const answer = yield* latestAnsweredApproval(store, executionId);
      const held = host.sharedQueue && row?.workerId != null;
      return row?.status === 'awaiting_approval' && !held && answer && row.sessionId !== null
        ? { row, answer, sessionId: row.sessionId }
        : undefined;
    });
    if (!parked) return;
    const { row, answer, sessionId } = parked;
    const run = await this.revive(row, {
      kind: 'resume',
      sessionId,
      fork: false,
      why: 'approval',
      prompt: resumePrompt(answer),
    });
    if (!run) return;
    if (answer.status === 'expired' && answer.onTimeout === 'fail') {
      this.host.halt(run, 'approval_timeout', answer.message);
      return;
    }
    if (answer.status !== 'allowed') noteAnswerDenied(ledger, run, answer);
    ledger.record((tx) => markExecutionStatus(tx, executionId, 'queued', Date.now()));
    this.host.enqueue(run);
  }

  /** A parked run (status awaiting_approval, not in memory), taken up to be stopped. */
  async takeUpParked(executionId: number): Promise<ActiveRun | undefined> {
    const row = await this.host.ledger.read((store) => getExecutionRow(store, executionId));
    if (row?.status !== 'awaiting_approval') return undefined;
    // Its process waits on another worker: that worker stops it (a stop request).
    if (this.host.sharedQueue && row.workerId !== null) return undefined;
    // Woken meanwhile: the run in memory is the one to stop.
    return (await this.revive(row, { kind: 'prompt' })) ?? this.host.runs.get(executionId);
  }

  /**
   * Rebuilds a run that lives in the database only (parked, or handed back by the last server) from
   * its row: its view, what its processes spent, its limits; queued for `attempt`, from `from`.
   * Undefined when the run came back into memory while its row was read (another wake).
   */
  async revive(row: Execution, from: StartPoint, attempt = row.attempt): Promise<ActiveRun | undefined> {
    const stored = await this.host.ledger.read(function* (store) {
      return {
        agent: yield* getAgentRow(store, row.agentId),
        view: yield* getExecutionLive(store, row.id),
        logCap: yield* runLogCapBytes(store),
        workOf: yield* chainRootOf(store, row.id),
        costs: yield* getExecutionCostRecords(store, row.id),
        handBacks: yield* countHandedBackAttempts(store, row.id),
        toolCalls: yield* countToolCalls(store, row.id),
      };
    });
    const { agent, view } = stored;
    if (!agent || !view) throw new Error(`execution ${row.id} or its agent is gone`);
    if (this.host.runs.has(row.id)) return undefined;
    const origin = {
      trigger: row.trigger,
      scheduleId: row.scheduleId,
      workflowRunId: row.workflowRunId,
      workflowStepKey: row.workflowStepKey,
    };
    const run = newActiveRun(
      { agent, ...origin, ...row.limits, prompt: row.prompt, from },
      {
        executionId: row.id,
        prompt: row.prompt,
        origin: { ...origin, triggerName: view.triggerName },
        createdAt: row.createdAt,
        ledger: this.host.ledger,
        // The cap counts what this process writes: a woken run may write a cap's worth again.
        output: this.host.writer.open(row.id, row.lastSeq, stored.logCap),
        workOf: stored.workOf,
        onResponse: (active, id, usage) => this.host.onResponse(active, id, usage),
        revived: {
          view,
          earlier: { costs: stored.costs, numTurns: row.numTurns },
          lastSeq: row.lastSeq,
          attempt,
          handBacks: stored.handBacks,
          toolCalls: stored.toolCalls,
        },
      },
    );
    run.view.status = statusOf(run.state);
    this.host.runs.set(row.id, run);
    return run;
  }
}
