import type { PermissionUpdate } from '@anthropic-ai/claude-agent-sdk';
import type { ApprovalDto, DecideApprovalInput, DecidedVia } from '../contracts/approvals';
import type { ApprovalTimeoutAction } from '../contracts/permissions';
import { conflict, invalidField, notFound } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Plan } from '../db/plan';
import { rememberAgentRules } from '../db/queries/agents';
import {
  cancelPendingApprovals,
  countPendingApprovals,
  getApproval,
  getApprovalRow,
  insertApproval,
  listPendingApprovals,
  markApprovalUsed,
  recordDecision,
  suggestedRulesOf,
  unusedAllowsOf,
} from '../db/queries/approvals';
import type { Approval } from '../db/schema';
import type { Store } from '../db/store';
import type { EngineEvents } from './events';
import type { Ledger } from './ledger';
import { toolCallHash } from './toolCallHash';

/** A tool call that needs a person, as Claude Code asked it. */
export interface ApprovalRequest {
  executionId: number;
  agentId: number;
  toolName: string;
  toolUseId: string;
  input: Record<string, unknown>;
  title: string | null;
  reason: string | null;
  suggestions: PermissionUpdate[];
  requestedAt: number;
  timeoutMinutes: number;
  onTimeout: ApprovalTimeoutAction;
}

/** Who answered, for the audit: how they were authorized and where from. */
export interface DecisionActor {
  via: DecidedVia;
  channel: string;
}

/** How a wait in the permission callback ended. */
export type WaitOutcome =
  | { kind: 'answered'; approval: Approval }
  /** The hold is over (or the server is stopping): the run should let its process go. */
  | { kind: 'hold_over' }
  /** The run ended otherwise (cancelled). */
  | { kind: 'dropped' };

export interface ApprovalDeskDeps {
  ledger: Ledger;
  events: EngineEvents;
  logger: Logger;
  /** How long a call keeps its process waiting in the callback. */
  holdMs: number;
  /** An answer (or an expiry) reached a call nobody waits for in a callback: its run must be woken. */
  onAnsweredWithoutWaiter(approval: Approval): void;
}

export const DEFAULT_DENY_MESSAGE = 'A person denied this tool call.';

function timeoutMessage(row: Pick<Approval, 'requestedAt' | 'expiresAt' | 'onTimeout'>): string {
  const minutes = Math.round((row.expiresAt - row.requestedAt) / 60_000);
  const within = `Nobody answered within ${minutes} minute${minutes === 1 ? '' : 's'}`;
  return row.onTimeout === 'fail'
    ? `${within}, so the run failed (its policy fails a run whose call is not answered).`
    : `${within}, so the call was denied.`;
}

/** Claude Code's suggestions, kept for this session only: never written into settings files. */
export function sessionOnly(suggestions: readonly unknown[]): PermissionUpdate[] {
  return suggestions
    .filter((s): s is PermissionUpdate => typeof s === 'object' && s !== null && 'type' in s)
    .map((s) => ({ ...s, destination: 'session' }));
}

/**
 * The approvals of running and parked runs: it writes each request (with its notification, in one
 * transaction), holds the permission callbacks that wait for an answer, expires what nobody
 * answered, records every answer once (a second one is refused naming the first), and keeps the
 * one-shot allows a resumed run uses.
 */
export class ApprovalDesk {
  private readonly waiters = new Map<number, (outcome: WaitOutcome) => void>();
  private readonly expiries = new Map<number, NodeJS.Timeout>();

  constructor(private readonly deps: ApprovalDeskDeps) {}

  /** Records a request and arms its expiry; the notification commits with it. */
  async open(request: ApprovalRequest): Promise<Approval> {
    const { ledger, events } = this.deps;
    const row = await ledger.write(function* (tx) {
      const inserted = yield* insertApproval(tx, {
        executionId: request.executionId,
        agentId: request.agentId,
        toolUseId: request.toolUseId,
        toolName: request.toolName,
        input: request.input,
        inputHash: toolCallHash(request.toolName, request.input),
        title: request.title,
        reason: request.reason,
        suggestions: request.suggestions,
        requestedAt: request.requestedAt,
        expiresAt: request.requestedAt + request.timeoutMinutes * 60_000,
        onTimeout: request.onTimeout,
        status: 'pending',
      });
      yield* events.writeApproval(tx, { change: 'requested', approval: yield* approvalDto(tx, inserted.id) });
      return inserted;
    });
    this.arm(row);
    this.announce(row.id);
    return row;
  }

  /**
   * Waits in the permission callback for an answer, for at most the hold. The abort signal is the
   * SDK's: the process went away.
   */
  wait(approvalId: number, signal: AbortSignal): Promise<WaitOutcome> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome: WaitOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(hold);
        signal.removeEventListener('abort', onAbort);
        this.waiters.delete(approvalId);
        resolve(outcome);
      };
      const onAbort = () => settle({ kind: 'dropped' });
      const hold = setTimeout(() => settle({ kind: 'hold_over' }), this.deps.holdMs);
      signal.addEventListener('abort', onAbort);
      this.waiters.set(approvalId, settle);
      // Answered between the request and this wait (a very quick answer, or an expiry).
      this.deps.ledger
        .read((s) => getApprovalRow(s, approvalId))
        .then(
          (row) => {
            if (row && row.status !== 'pending') settle({ kind: 'answered', approval: row });
          },
          (err: unknown) => this.deps.logger.error({ err, approvalId }, 'approval could not be read'),
        );
    });
  }

  /** Ends a callback's wait early so its run parks (the server is stopping). */
  endHold(approvalId: number): void {
    this.waiters.get(approvalId)?.({ kind: 'hold_over' });
  }

  /**
   * A person's answer. Refused when the approval is unknown or already answered (naming the
   * answer): the check and the write are one transaction, so two answers at once record one.
   */
  async decide(
    approvalId: number,
    input: DecideApprovalInput,
    actor: DecisionActor,
    now = Date.now(),
  ): Promise<ApprovalDto> {
    const latest = await this.deps.ledger.write(function* (tx) {
      const row = yield* getApprovalRow(tx, approvalId);
      if (!row) throw notFound(`Approval ${approvalId}`);
      if (row.status !== 'pending') throw conflict(alreadyAnswered(row));
      const rules = input.remember ? suggestedRulesOf(row.suggestions) : [];
      if (input.remember && rules.length === 0)
        throw invalidField(
          'remember',
          'Claude Code suggested no rule for this call; add one to the agent’s allowedTools instead',
        );
      const recorded = yield* recordDecision(tx, approvalId, {
        status: input.decision === 'allow' ? 'allowed' : 'denied',
        decision: input.decision,
        decidedAt: now,
        decidedVia: actor.via,
        decidedChannel: actor.channel,
        message: input.decision === 'deny' ? (input.message ?? DEFAULT_DENY_MESSAGE) : null,
        updatedInput: input.updatedInput ?? null,
        rememberedRules: rules,
      });
      const after = yield* getApprovalRow(tx, approvalId);
      // Someone answered between the read and the write.
      if (!recorded || !after) throw conflict(alreadyAnswered(after ?? row));
      if (rules.length > 0) yield* rememberAgentRules(tx, row.agentId, rules, now);
      return after;
    });
    this.answered(latest);
    return this.dto(approvalId);
  }

  /** Nobody answered in time: the call is denied (or its run will fail, by the policy). */
  async expire(approvalId: number, now = Date.now()): Promise<void> {
    const { events } = this.deps;
    const expired = await this.deps.ledger.write(function* (tx) {
      const row = yield* getApprovalRow(tx, approvalId);
      if (row?.status !== 'pending') return undefined;
      const done = yield* recordDecision(tx, approvalId, {
        status: 'expired',
        decision: 'deny',
        decidedAt: now,
        decidedVia: 'timeout',
        decidedChannel: 'timeout',
        message: timeoutMessage(row),
        updatedInput: null,
        rememberedRules: [],
      });
      if (!done) return undefined;
      yield* events.writeApproval(tx, { change: 'expired', approval: yield* approvalDto(tx, approvalId) });
      return yield* getApprovalRow(tx, approvalId);
    });
    if (expired) this.answered(expired);
  }

  /** A run ended otherwise: its waiting calls are dropped, their callbacks released. */
  dropPending(executionId: number, now = Date.now()): void {
    this.deps.ledger.record(
      (tx) => cancelPendingApprovals(tx, executionId, now),
      (ids) => {
        for (const id of ids) {
          this.disarm(id);
          this.waiters.get(id)?.({ kind: 'dropped' });
          this.announce(id);
        }
      },
    );
  }

  /** The unused allow a resumed run's repeated call may use: same tool, and the input asked for or approved. */
  async allowFor(
    executionId: number,
    toolName: string,
    input: Record<string, unknown>,
  ): Promise<Approval | undefined> {
    const hash = toolCallHash(toolName, input);
    const allows = await this.deps.ledger.read((s) => unusedAllowsOf(s, executionId));
    return allows.find(
      (row) =>
        row.toolName === toolName &&
        (row.inputHash === hash ||
          (row.updatedInput !== null && toolCallHash(toolName, row.updatedInput) === hash)),
    );
  }

  /** An allow is good for one call. */
  use(approvalId: number, now = Date.now()): void {
    this.deps.ledger.record((tx) => markApprovalUsed(tx, approvalId, now));
  }

  /**
   * An answer another process recorded, to a call that may wait here (its process is on this
   * worker): handed to the waiting call as if given here, or, with none waiting, to the wake-up.
   */
  async answerArrived(approvalId: number): Promise<void> {
    const row = await this.deps.ledger.read((s) => getApprovalRow(s, approvalId));
    if (!row || row.status === 'pending') return;
    this.disarm(row.id);
    const waiter = this.waiters.get(row.id);
    if (waiter) waiter({ kind: 'answered', approval: row });
    else this.deps.onAnsweredWithoutWaiter(row);
  }

  /** At start: every pending approval gets its expiry back; those that passed while down expire now. */
  async rearm(now = Date.now()): Promise<void> {
    const pending = await this.deps.ledger.read((s) => listPendingApprovals(s));
    for (const approval of pending) {
      if (approval.expiresAt <= now) await this.expire(approval.id, now);
      else {
        const row = await this.deps.ledger.read((s) => getApprovalRow(s, approval.id));
        if (row) this.arm(row);
      }
    }
  }

  stop(): void {
    for (const timer of this.expiries.values()) clearTimeout(timer);
    this.expiries.clear();
  }

  /** The approval as the API shows it. */
  dto(approvalId: number): Promise<ApprovalDto> {
    return this.deps.ledger.read((s) => approvalDto(s, approvalId));
  }

  private answered(row: Approval): void {
    this.disarm(row.id);
    this.announce(row.id);
    const waiter = this.waiters.get(row.id);
    if (waiter) waiter({ kind: 'answered', approval: row });
    else this.deps.onAnsweredWithoutWaiter(row);
  }

  /** The approval and the pending count go out, as read after the change. */
  private announce(approvalId: number): void {
    const { events, ledger, logger } = this.deps;
    const failed = (err: unknown) => logger.error({ err, approvalId }, 'approval listener failed');
    ledger
      .read(function* (s) {
        return { approval: yield* approvalDto(s, approvalId), counts: yield* countPendingApprovals(s) };
      })
      .then(
        ({ approval, counts }) => events.emit({ type: 'approval.updated', approval, counts }, failed),
        failed,
      );
  }

  private arm(row: Approval): void {
    this.disarm(row.id);
    const timer = setTimeout(
      () => {
        this.expiries.delete(row.id);
        this.expire(row.id).catch((err: unknown) =>
          this.deps.logger.error({ err, approvalId: row.id }, 'approval expiry failed'),
        );
      },
      Math.max(0, row.expiresAt - Date.now()),
    );
    timer.unref();
    this.expiries.set(row.id, timer);
  }

  private disarm(approvalId: number): void {
    clearTimeout(this.expiries.get(approvalId));
    this.expiries.delete(approvalId);
  }
}

/** "Approval 4 was already allowed (link, ntfy #2) at …": what a second answer is told. */
/** The approval as the API shows it, read on `store`. */
function* approvalDto(store: Store, approvalId: number): Plan<ApprovalDto> {
  const approval = yield* getApproval(store, approvalId);
  if (!approval) throw notFound(`Approval ${approvalId}`);
  return approval;
}

function alreadyAnswered(row: Approval): string {
  const when = row.decidedAt === null ? '' : ` at ${new Date(row.decidedAt).toISOString()}`;
  switch (row.status) {
    case 'allowed':
    case 'denied':
      return `Approval ${row.id} was already ${row.status} (${row.decidedVia}, ${row.decidedChannel})${when}`;
    case 'expired':
      return `Approval ${row.id} expired${when}: nobody answered in time`;
    case 'cancelled':
      return `Approval ${row.id} no longer waits: its run ended${when}`;
    case 'pending':
      return `Approval ${row.id} is still pending`;
  }
}
