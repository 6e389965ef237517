import type { ModelTokenUsage } from '../claude/usage';
import type { Logger } from '../core/logger';
import type { DbConnection } from '../db';
import { onSqlite, runOnSqlite, transactionOnSqlite } from '../db/plan';
import { getAgentRow } from '../db/queries/agents';
import { getApprovalRow, latestAnsweredApproval, pendingApprovalsOf } from '../db/queries/approvals';
import { recordExecutionCosts } from '../db/queries/costs';
import {
  chainRootOf,
  countHandedBackAttempts,
  getExecutionCostRecords,
  getExecutionLive,
  getExecutionRow,
  markExecutionStatus,
  recordParkedProgress,
} from '../db/queries/executions';
import { runLogCapBytes } from '../db/queries/settings';
import type { Execution } from '../db/schema';
import { sqliteStore } from '../db/store';
import { type ActiveRun, newActiveRun } from './activeRun';
import type { OutputWriter } from './outputWriter';
import { noteAnswerDenied, resumePrompt } from './permissionBroker';
import { type RunInput, type StartPoint, type StopReason, statusOf } from './runState';
import { finalFigures } from './runTotals';
import { spendView } from './runView';

/** What parking needs of the engine: its runs, and the moves it keeps to itself. */
export interface ParkingHost {
  db: DbConnection;
  logger: Logger;
  writer: OutputWriter;
  runs: Map<number, ActiveRun>;
  apply(run: ActiveRun, input: RunInput): void;
  halt(run: ActiveRun, reason: StopReason, message: string | null): void;
  /** Queues a woken run and lets the limits start it. */
  enqueue(run: ActiveRun): void;
  publishUpdate(run: ActiveRun): void;
  onResponse(run: ActiveRun, responseId: string, usage: ModelTokenUsage): void;
}

/** How a parking attempt's ending reads: never recorded, the run is parked instead. */
const PARKED = { status: 'failed', errorCode: 'parked', errorMessage: null } as const;

/**
 * Runs that wait for a person without a process. A parked run lives in the database only (status
 * `awaiting_approval`, its approvals, what it spent): it holds no memory, no slot and no process, so
 * it outlives a restart. An answer wakes it: rebuilt from its row, queued, and resuming its session.
 */
export class Parking {
  constructor(private readonly host: ParkingHost) {}

  /**
   * The process of a run that waits for a person has ended: what it spent and said is stored, and
   * the run leaves memory. Answered while the process ended, it comes back at once.
   */
  park(run: ActiveRun): void {
    if (run.state.phase !== 'parking') return;
    const { approvalId } = run.state;
    const { db } = this.host;
    this.host.apply(run, { type: 'attempt_ended', ending: PARKED, retryAt: null });
    const figures = finalFigures(run.usage.responses(), run.results, run.createdAt, run.earlier);
    const execution = { id: run.executionId, agentId: run.agentId, createdAt: run.createdAt };
    transactionOnSqlite(db, (tx) =>
      recordExecutionCosts(tx, execution, figures.models, run.spend.lastWritten),
    );
    const progress = { ...figures.totals, numTurns: figures.numTurns, apiRetryCount: run.apiRetryCount };
    onSqlite(db, (store) => recordParkedProgress(store, run.executionId, progress));
    run.output.flush();
    Object.assign(run.view, progress, spendView(figures.models, figures.costMicros));
    run.committedSeq = run.output.lastSeq;
    this.host.runs.delete(run.executionId);
    this.host.publishUpdate(run);
    this.host.logger.info({ executionId: run.executionId, approvalId }, 'execution parked for approval');
    if (onSqlite(db, (store) => getApprovalRow(store, approvalId))?.status !== 'pending')
      this.wake(run.executionId);
  }

  /**
   * A parked run whose calls are all answered comes back: queued to resume its session, told the
   * answer; or, when nobody answered and the policy says so, it fails without a process.
   */
  wake(executionId: number): void {
    const { db } = this.host;
    if (
      this.host.runs.has(executionId) ||
      onSqlite(db, (store) => pendingApprovalsOf(store, executionId)).length > 0
    )
      return;
    const row = onSqlite(db, (store) => getExecutionRow(store, executionId));
    const answer = onSqlite(db, (store) => latestAnsweredApproval(store, executionId));
    if (row?.status !== 'awaiting_approval' || !answer || row.sessionId === null) return;
    const run = this.revive(row, {
      kind: 'resume',
      sessionId: row.sessionId,
      fork: false,
      why: 'approval',
      prompt: resumePrompt(answer),
    });
    if (answer.status === 'expired' && answer.onTimeout === 'fail') {
      this.host.halt(run, 'approval_timeout', answer.message);
      return;
    }
    if (answer.status !== 'allowed') noteAnswerDenied(db, run, answer);
    onSqlite(db, (store) => markExecutionStatus(store, executionId, 'queued', Date.now()));
    this.host.enqueue(run);
  }

  /** A parked run (status awaiting_approval, not in memory), taken up to be stopped. */
  takeUpParked(executionId: number): ActiveRun | undefined {
    const row = onSqlite(this.host.db, (store) => getExecutionRow(store, executionId));
    return row?.status === 'awaiting_approval' ? this.revive(row, { kind: 'prompt' }) : undefined;
  }

  /**
   * Rebuilds a run that lives in the database only (parked, or handed back by the last server) from
   * its row: its view, what its processes spent, its limits; queued for `attempt`, from `from`.
   */
  revive(row: Execution, from: StartPoint, attempt = row.attempt): ActiveRun {
    const { db } = this.host;
    const agent = runOnSqlite(getAgentRow(sqliteStore(db), row.agentId));
    const view = onSqlite(db, (store) => getExecutionLive(store, row.id));
    if (!agent || !view) throw new Error(`execution ${row.id} or its agent is gone`);
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
        db,
        // The cap counts what this process writes: a woken run may write a cap's worth again.
        output: this.host.writer.open(row.id, row.lastSeq, runOnSqlite(runLogCapBytes(sqliteStore(db)))),
        workOf: onSqlite(db, (store) => chainRootOf(store, row.id)),
        onResponse: (active, id, usage) => this.host.onResponse(active, id, usage),
        revived: {
          view,
          earlier: {
            costs: onSqlite(db, (store) => getExecutionCostRecords(store, row.id)),
            numTurns: row.numTurns,
          },
          lastSeq: row.lastSeq,
          attempt,
          handBacks: onSqlite(db, (store) => countHandedBackAttempts(store, row.id)),
        },
      },
    );
    run.view.status = statusOf(run.state);
    this.host.runs.set(row.id, run);
    return run;
  }
}
