import type { CanUseTool, PermissionResult } from '@anthropic-ai/claude-agent-sdk';
import { describeToolInput } from '../claude/messages';
import { markExecutionStatus } from '../db/queries/executions';
import type { Approval } from '../db/schema';
import type { ActiveRun } from './activeRun';
import { type ApprovalDesk, sessionOnly, type WaitOutcome } from './approvalDesk';
import { noteDenial, noteStep, noteWarning, systemStep } from './findings';
import type { Ledger } from './ledger';
import type { RunInput, StopReason } from './runState';

/** What the broker may do to a run; the engine keeps the run's state and slots. */
export interface RunControl {
  apply(run: ActiveRun, input: RunInput): void;
  /** Gives the run's slot up while it waits (others may start). */
  releaseSlot(run: ActiveRun): void;
  /** Takes a slot again for an answer; false when none is free. */
  claimSlot(run: ActiveRun): boolean;
  halt(run: ActiveRun, reason: StopReason, message: string | null): void;
  publishUpdate(run: ActiveRun): void;
}

/** Told to the model with the interrupt that parks a run (the resume prompt says what was decided). */
const PARK_MESSAGE =
  'Paused: this call waits for a person to approve it. The session resumes with their answer.';
const STOPPED_MESSAGE = 'The run was stopped while this call waited for approval.';
const NOT_ALLOWED_MESSAGE = 'This call is not allowed by the agent’s permission rules.';

/** The words a resumed session is told with an approval's answer. */
export function resumePrompt(approval: Approval): string {
  const call = `your ${approval.toolName} call (${describeToolInput(approval.input)})`;
  if (approval.status === 'allowed') {
    const input = approval.updatedInput ?? approval.input;
    const changed = approval.updatedInput === null ? '' : ' with changes';
    return `[ClaudeOps] A person approved ${call}${changed}. It has not run yet: call ${approval.toolName} again now with this input: ${JSON.stringify(input)}`;
  }
  return `[ClaudeOps] Your ${approval.toolName} call (${describeToolInput(approval.input)}) was not approved: ${approval.message ?? 'denied'} Do not run it; go on without it.`;
}

/**
 * The permission callback's side of approvals: an allow already given (a resumed run's repeated
 * call) runs at once; anything else is written as a pending approval, and the run waits in the
 * callback, without its slot, for at most the hold. An answer within it goes straight back to
 * Claude Code; past it the call is turned down with an interrupt, and the run parks.
 */
export class PermissionBroker {
  constructor(
    private readonly ledger: Ledger,
    private readonly desk: ApprovalDesk,
    private readonly control: RunControl,
    private readonly holdMs: number,
  ) {}

  /** The callback for one process of the run: questions are asked one after the other. */
  callbackFor(run: ActiveRun): CanUseTool {
    return (toolName, input, options) => {
      const answer = run.permissionQueue.then(() =>
        this.ask(run, toolName, input, options.toolUseID, options.signal, {
          title: options.title ?? null,
          reason: options.decisionReason ?? null,
          suggestions: options.suggestions ?? [],
        }),
      );
      run.permissionQueue = answer.catch(() => undefined);
      return answer;
    };
  }

  private async ask(
    run: ActiveRun,
    toolName: string,
    input: Record<string, unknown>,
    toolUseId: string,
    signal: AbortSignal,
    prompt: { title: string | null; reason: string | null; suggestions: NonNullable<unknown[]> },
  ): Promise<PermissionResult> {
    const allow = await this.desk.allowFor(run.executionId, toolName, input);
    if (allow) return this.allowGivenEarlier(run, allow, input, toolUseId);
    if (run.state.phase !== 'running') {
      // Another call of the same turn parked the run (or it is stopping): this one waits too.
      if (run.state.phase === 'parking') run.denials.parkedCall(toolUseId);
      return { behavior: 'deny', message: PARK_MESSAGE, interrupt: true };
    }
    if (run.agent.unlistedTools !== 'ask') {
      noteDenial(this.ledger, run, {
        toolName,
        toolUseId,
        input,
        reason: 'policy',
        message: NOT_ALLOWED_MESSAGE,
      });
      return { behavior: 'deny', message: NOT_ALLOWED_MESSAGE };
    }
    const approval = await this.desk.open({
      executionId: run.executionId,
      agentId: run.agentId,
      toolName,
      toolUseId,
      input,
      title: prompt.title,
      reason: prompt.reason,
      suggestions: sessionOnly(prompt.suggestions),
      requestedAt: Date.now(),
      timeoutMinutes: run.approvalTimeoutMinutes,
      onTimeout: run.agent.onApprovalTimeout,
    });
    // Stopped while the request was written: the run's ending cancels the request.
    if (run.state.phase !== 'running') return { behavior: 'deny', message: STOPPED_MESSAGE, interrupt: true };
    this.control.apply(run, { type: 'approval_requested', approvalId: approval.id });
    run.process?.pauseTimeout();
    this.ledger.record((tx) => markExecutionStatus(tx, run.executionId, 'awaiting_approval', Date.now()));
    noteStep(
      run,
      systemStep(
        `Waiting for a person to approve ${toolName}: ${describeToolInput(input)} (approval #${approval.id})`,
        { type: 'approval', approvalId: approval.id, status: 'pending', expiresAt: approval.expiresAt },
        false,
        { toolName, toolUseId },
      ),
    );
    this.control.releaseSlot(run);
    this.control.publishUpdate(run);
    const outcome = await this.desk.wait(approval.id, signal);
    run.process?.resumeTimeout();
    return this.afterWait(run, approval, outcome, input);
  }

  private allowGivenEarlier(
    run: ActiveRun,
    allow: Approval,
    input: Record<string, unknown>,
    toolUseId: string,
  ): PermissionResult {
    this.desk.use(allow.id);
    noteStep(
      run,
      systemStep(
        `Approved by a person (approval #${allow.id}): ${allow.toolName} runs`,
        { type: 'approval', approvalId: allow.id, status: 'allowed' },
        false,
        { toolName: allow.toolName, toolUseId },
      ),
    );
    return this.allowResult(allow, input);
  }

  private afterWait(
    run: ActiveRun,
    approval: Approval,
    outcome: WaitOutcome,
    input: Record<string, unknown>,
  ): PermissionResult {
    if (run.state.phase !== 'awaiting' || outcome.kind === 'dropped')
      return { behavior: 'deny', message: STOPPED_MESSAGE, interrupt: true };
    if (outcome.kind === 'answered') {
      const answer = outcome.approval;
      if (answer.status === 'expired' && answer.onTimeout === 'fail') {
        this.control.halt(run, 'approval_timeout', answer.message);
        return { behavior: 'deny', message: answer.message ?? STOPPED_MESSAGE, interrupt: true };
      }
      if (this.control.claimSlot(run)) {
        this.control.apply(run, { type: 'approval_answered' });
        this.ledger.record((tx) => markExecutionStatus(tx, run.executionId, 'running', Date.now()));
        this.control.publishUpdate(run);
        return this.answerNow(run, answer, input);
      }
    }
    // The hold is over, or no slot is free for the answer: the process goes; the answer resumes the session.
    this.control.apply(run, { type: 'park' });
    run.denials.parkedCall(approval.toolUseId);
    noteStep(
      run,
      systemStep(
        outcome.kind === 'hold_over'
          ? `No answer within ${Math.round(this.holdMs / 1000)} s: the run waits without its process and resumes its session when someone answers`
          : 'Answered, but no run slot is free: the run resumes its session when one is',
        { type: 'approval', approvalId: approval.id, status: 'parked' },
      ),
    );
    this.control.publishUpdate(run);
    return { behavior: 'deny', message: PARK_MESSAGE, interrupt: true };
  }

  /** The answer, given to Claude Code within the hold. */
  private answerNow(run: ActiveRun, answer: Approval, input: Record<string, unknown>): PermissionResult {
    if (answer.status === 'allowed') {
      this.desk.use(answer.id);
      noteStep(
        run,
        systemStep(
          `Approved (${answer.decidedVia}, ${answer.decidedChannel}): ${answer.toolName} runs`,
          { type: 'approval', approvalId: answer.id, status: 'allowed' },
          false,
          { toolName: answer.toolName, toolUseId: answer.toolUseId },
        ),
      );
      return this.allowResult(answer, input);
    }
    const message = answer.message ?? 'Denied';
    noteAnswerDenied(this.ledger, run, answer);
    return { behavior: 'deny', message };
  }

  private allowResult(allow: Approval, input: Record<string, unknown>): PermissionResult {
    return {
      behavior: 'allow',
      updatedInput: allow.updatedInput ?? input,
      // "Approve and remember": the rest of this session too (the agent's saved rules cover later runs).
      ...(allow.rememberedRules.length > 0 && { updatedPermissions: sessionOnly(allow.suggestions) }),
    };
  }
}

/** A person's deny, or nobody's answer: a denial on the run, and a warning for the timeout. */
export function noteAnswerDenied(ledger: Ledger, run: ActiveRun, answer: Approval): void {
  const expired = answer.status === 'expired';
  noteDenial(ledger, run, {
    toolName: answer.toolName,
    toolUseId: answer.toolUseId,
    input: answer.input,
    reason: expired ? 'approval_timeout' : 'person',
    message: answer.message ?? 'Denied',
  });
  if (expired)
    noteWarning(ledger, run, {
      code: 'approval_timeout',
      message: `${answer.toolName} waited for approval until it expired; the call was denied (approval #${answer.id}).`,
    });
}
