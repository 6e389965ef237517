import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { describeToolInput, type StepDraft } from '../claude/messages';
import type { DenialDto, DenialReason, RunWarning } from '../contracts/executions';
import { allowRulesOf, ruleMatches } from '../contracts/permissions';
import type { AgentConfiguration } from '../db/schema';

/**
 * A run's denied tool calls: from Claude Code's own denials (a deny rule, a call no rule allows)
 * and from people (a deny, or nobody answering). Each is counted once, explained to the agent's
 * owner, and shown as a step; a call turned down only to park the run is not a denial.
 */

/** Kept on the execution row: enough to see what keeps being denied, bounded. */
const MAX_KEPT = 100;

type Agent = Pick<AgentConfiguration, 'allowedTools' | 'rememberedTools' | 'unlistedTools'>;

/** What the agent's owner can change so that such a call runs (or why it did not, though a rule names it). */
export function denialHint(agent: Agent, toolName: string, input: Record<string, unknown>): string | null {
  const rule = allowRulesOf(agent).find((candidate) => ruleMatches(candidate, toolName, input));
  if (rule) {
    return toolName === 'Bash'
      ? `${rule} names this command, but Claude Code also checks the paths a command reads or writes: this one reaches outside the working directory. Add the directory to the agent's additionalDirectories, or allow Read(//that/dir/**).`
      : `${rule} names this call, but Claude Code refused it (a path outside the working directory, or a deny rule).`;
  }
  return agent.unlistedTools === 'deny'
    ? `No rule allows this call and the agent denies unlisted calls: add a rule for it, or set unlistedTools to ask.`
    : null;
}

export interface DenialInput {
  toolName: string;
  toolUseId: string;
  input: Record<string, unknown>;
  reason: DenialReason;
  message: string;
}

export class DenialLog {
  private readonly byToolUse = new Map<string, DenialDto>();
  /** Calls turned down with an interrupt to park the run: they wait for a person, not denied. */
  private readonly parked = new Set<string>();
  private total: number;

  /** `earlierCount`: the run's count so far (the row keeps only the newest denials). */
  constructor(
    private readonly agent: Agent,
    earlier: readonly DenialDto[] = [],
    earlierCount = earlier.length,
  ) {
    for (const denial of earlier) this.byToolUse.set(denial.toolUseId, denial);
    this.total = earlierCount;
  }

  /** A parked call's interrupt, and Claude Code's record of it, are not denials. */
  parkedCall(toolUseId: string): void {
    this.parked.add(toolUseId);
  }

  /** Records a denial; null when it was already recorded (or is a parked call). */
  add(denial: DenialInput, at: number): DenialDto | null {
    if (this.parked.has(denial.toolUseId) && denial.reason === 'policy') return null;
    if (this.byToolUse.has(denial.toolUseId)) return null;
    const dto: DenialDto = {
      toolName: denial.toolName,
      toolUseId: denial.toolUseId,
      reason: denial.reason,
      message: denial.message,
      hint: denial.reason === 'policy' ? denialHint(this.agent, denial.toolName, denial.input) : null,
      input: describeToolInput(denial.input),
      at,
    };
    this.byToolUse.set(denial.toolUseId, dto);
    this.total += 1;
    return dto;
  }

  get count(): number {
    return this.total;
  }

  /** The newest ones, as the execution row keeps them. */
  list(): DenialDto[] {
    return [...this.byToolUse.values()].slice(-MAX_KEPT);
  }

  has(toolUseId: string): boolean {
    return this.byToolUse.has(toolUseId);
  }
}

/** Claude Code's own denials in a message: a live `permission_denied`, or the result's list. */
export function denialsIn(
  message: SDKMessage,
  inputs: ReadonlyMap<string, Record<string, unknown>>,
): DenialInput[] {
  if (message.type === 'system' && message.subtype === 'permission_denied') {
    return [
      {
        toolName: message.tool_name,
        toolUseId: message.tool_use_id,
        input: inputs.get(message.tool_use_id) ?? {},
        reason: 'policy',
        message: message.message,
      },
    ];
  }
  if (message.type === 'result') {
    return message.permission_denials.map((denial) => ({
      toolName: denial.tool_name,
      toolUseId: denial.tool_use_id,
      input: denial.tool_input,
      reason: 'policy' as const,
      message: 'Denied by the agent’s permission rules',
    }));
  }
  return [];
}

const REASON_WORDS: Record<DenialReason, string> = {
  policy: 'by the agent’s rules',
  person: 'by a person',
  approval_timeout: 'for lack of an answer',
};

export function denialStep(denial: DenialDto): StepDraft {
  return {
    kind: 'system',
    summary: `Denied ${denial.toolName} ${REASON_WORDS[denial.reason]}: ${denial.input}`,
    toolName: denial.toolName,
    toolUseId: denial.toolUseId,
    isError: true,
    payload: { type: 'denial', ...denial },
  };
}

/** The warning a run ends with when it asked for tools and got none of them. */
export function allDeniedWarning(toolCalls: number, denied: number): RunWarning | null {
  if (toolCalls === 0 || denied < toolCalls) return null;
  return {
    code: 'all_tool_calls_denied',
    message: `Every tool call of this run was denied (${denied} of ${toolCalls}): it likely did none of its work.`,
  };
}
