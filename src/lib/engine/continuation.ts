import { priceResponse } from '../claude/pricing';
import { ZERO_USAGE } from '../claude/usage';
import {
  type ContinueExecutionInput,
  type ContinuePreview,
  isEndedStatus,
  microsToUsd,
  type RunWarning,
  type TokenUsage,
} from '../contracts/executions';
import { conflict, notFound } from '../core/errors';
import type { Plan } from '../db/plan';
import { getAgentById } from '../db/queries/agents';
import { getExecutionRow } from '../db/queries/executions';
import type { AgentConfiguration, Execution } from '../db/schema';
import type { Store } from '../db/store';
import type { ActiveRun, RunRequest } from './activeRun';
import { noteStep, systemStep } from './findings';
import type { StartPoint } from './runState';
import { transcriptSummary } from './transcripts';

/** The prompt cache's lifetime for API-key use: past it, a resumed context is written to the cache again. */
export const PROMPT_CACHE_TTL_MS = 5 * 60_000;

interface Continuable {
  parent: Execution;
  agent: AgentConfiguration;
  sessionId: string;
}

/** Why a run cannot be continued now, or what it continues from. */
function* blocker(store: Store, parent: Execution): Plan<{ reason: string } | Continuable> {
  if (!isEndedStatus(parent.status))
    return { reason: `Execution ${parent.id} is still ${parent.status}; continue it once it has ended` };
  if (parent.sessionId === null)
    return {
      reason: `Execution ${parent.id} never started a Claude session, so there is nothing to continue`,
    };
  const agent = yield* getAgentById(store, parent.agentId);
  if (!agent) return { reason: `The agent of execution ${parent.id} was deleted` };
  if ((yield* transcriptSummary(store, parent.sessionId)).entries === 0)
    return {
      reason: `ClaudeOps kept no transcript of execution ${parent.id}'s session (it ran before transcripts were kept)`,
    };
  return { parent, agent, sessionId: parent.sessionId };
}

/**
 * The run a continue starts: the parent's agent, on the parent's session (or a fork of it), in the
 * chain's working directory. Refused (409, naming why) while the parent is active, or without a
 * session or a kept transcript.
 */
export function* continueRequest(
  store: Store,
  parentId: number,
  input: ContinueExecutionInput,
): Plan<RunRequest> {
  const parent = yield* getExecutionRow(store, parentId);
  if (!parent) throw notFound('Execution');
  const found = yield* blocker(store, parent);
  if ('reason' in found) throw conflict(found.reason);
  const fork = input.fork ?? false;
  return {
    agent: found.agent,
    prompt: input.prompt,
    trigger: 'continue',
    parentExecutionId: parent.id,
    forked: fork,
    from: { kind: 'resume', sessionId: found.sessionId, fork, why: 'continue', prompt: null },
  };
}

/** What a continue would start from and cost, before starting it. */
export function* continuePreview(store: Store, executionId: number, now = Date.now()): Plan<ContinuePreview> {
  const execution = yield* getExecutionRow(store, executionId);
  if (!execution) throw notFound('Execution');
  const found = yield* blocker(store, execution);
  const transcript =
    execution.sessionId === null
      ? { entries: 0, lastAt: null, contextTokens: 0 }
      : yield* transcriptSummary(store, execution.sessionId);
  const ageMs = transcript.lastAt === null ? null : Math.max(0, now - transcript.lastAt);
  // Cold, the whole context is written to the cache again: that write is the first turn's extra cost.
  const price = priceResponse(
    execution.model,
    { ...ZERO_USAGE, cacheCreation5mTokens: transcript.contextTokens },
    now,
  );
  return {
    executionId,
    available: !('reason' in found),
    reason: 'reason' in found ? found.reason : null,
    sessionId: execution.sessionId,
    transcriptEntries: transcript.entries,
    transcriptAgeMs: ageMs,
    cacheTtlMs: PROMPT_CACHE_TTL_MS,
    cacheWarm: ageMs !== null && ageMs < PROMPT_CACHE_TTL_MS,
    contextTokens: transcript.contextTokens,
    model: execution.model,
    estimatedFirstTurnCostUsd: microsToUsd(price.costMicros),
    unpriced: !price.priced,
  };
}

/** A resume that did not take: Claude Code started a new session instead of the one asked for. */
export function sessionWarning(expected: string, actual: string): RunWarning | null {
  if (expected === actual) return null;
  return {
    code: 'resume_not_taken',
    message: `Asked to resume session ${expected}, Claude Code started ${actual}: the earlier conversation is not in this run's context.`,
  };
}

/** The first call of a resumed session carries far less context than the session had: history was lost. */
export function contextWarning(expectedTokens: number, usage: TokenUsage): RunWarning | null {
  const sent =
    usage.inputTokens + usage.cacheReadTokens + usage.cacheCreation5mTokens + usage.cacheCreation1hTokens;
  if (expectedTokens === 0 || sent >= expectedTokens / 2) return null;
  return {
    code: 'resume_not_taken',
    message: `The resumed session's first call carried ${sent} tokens of context, against ${expectedTokens} at the end of the session it resumes: part of the history was not loaded.`,
  };
}

/** A start point that resumes a session. */
export type ResumeStart = Extract<StartPoint, { kind: 'resume' }>;

/** The session a run's next attempt resumes, if its start says so. */
export function resumeOf(run: ActiveRun): ResumeStart | undefined {
  const from = 'from' in run.state ? run.state.from : undefined;
  return from?.kind === 'resume' ? from : undefined;
}

/**
 * A launching attempt resumes `from`: the checks on what comes back are armed (the session asked
 * for, `contextTokens` it should carry, read from its transcript) and the timeline says it resumes.
 */
export function prepareResume(run: ActiveRun, from: ResumeStart, contextTokens: number): void {
  run.resumeCheck = { sessionId: from.fork ? null : from.sessionId, contextTokens };
  noteStep(
    run,
    systemStep(
      from.fork
        ? `Continuing from session ${from.sessionId} in a new session (fork)`
        : `Resuming session ${from.sessionId}${from.why === 'approval' ? ' with the answer to its tool call' : ''}`,
      { type: 'resume', sessionId: from.sessionId, fork: from.fork, why: from.why },
    ),
  );
}
