import type { SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import type { ModelCostRecord } from '../contracts/costs';
import {
  type ExecutionAttemptDto,
  type ExecutionLive,
  type ModelCost,
  microsToUsd,
} from '../contracts/executions';
import type { NewExecutionAttempt } from '../db/queries/executions';
import type { AgentConfiguration } from '../db/schema';

/**
 * The run as the pages show it (`ExecutionLive`), kept by the engine as the run changes so that
 * every event carries it whole and nobody reads back what was just written.
 */

export type RunOrigin = Pick<
  ExecutionLive,
  'trigger' | 'scheduleId' | 'workflowRunId' | 'workflowStepKey' | 'triggerName'
>;

/** A new run as the pages show it, built from what was just inserted rather than read back. */
export function initialView(
  id: number,
  agent: AgentConfiguration,
  origin: RunOrigin,
  createdAt: number,
): ExecutionLive {
  return {
    id,
    agentId: agent.id,
    agentName: agent.name,
    status: 'queued',
    ...origin,
    model: agent.model,
    createdAt,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    numTurns: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationTokens: 0,
    cacheReadTokens: 0,
    costUsd: 0,
    errorCode: null,
    errorMessage: null,
    lastSeq: 0,
    apiRetryCount: 0,
    queuePosition: null,
    waitReason: null,
    workerId: null,
    attempt: 1,
    nextAttemptAt: null,
    parentExecutionId: null,
    deniedToolCalls: 0,
    warnings: [],
    forked: false,
    denials: [],
    resultText: null,
    sessionId: null,
    apiKeySource: null,
    structuredOutput: null,
    costs: [],
    attempts: [],
  };
}

/** What the view says about a model's spend. */
export function toModelCost(row: ModelCostRecord): ModelCost {
  const { costMicros, reportedCostMicros, ...rest } = row;
  return { ...rest, costUsd: microsToUsd(costMicros), reportedCostUsd: microsToUsd(reportedCostMicros) };
}

/** A recorded attempt as the view lists it. */
export function attemptDto(row: NewExecutionAttempt): ExecutionAttemptDto {
  return {
    attempt: row.attempt,
    status: row.status,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    errorCode: row.errorCode ?? null,
    errorMessage: row.errorMessage ?? null,
    apiRetryCount: row.apiRetryCount ?? 0,
    costUsd: microsToUsd(row.costMicros ?? 0),
    retryDelayMs: row.retryDelayMs ?? null,
  };
}

/** A successful result's structured answer (agents run with an output schema); null otherwise. */
export function structuredOutputOf(result: SDKResultMessage): unknown {
  return result.subtype === 'success' ? (result.structured_output ?? null) : null;
}

/** The spend of a run so far, as the view shows it. */
export function spendView(rows: readonly ModelCostRecord[], totalMicros: number) {
  return { costUsd: microsToUsd(totalMicros), costs: rows.map(toModelCost) };
}
