import { z } from 'zod';
import type { AgentDto } from '../contracts/agents';
import {
  EXECUTION_STATUSES,
  type ExecutionAttemptDto,
  type ExecutionDetail,
  type ExecutionPage,
  executionSummarySchema,
  logLineSchema,
  type ModelCost,
} from '../contracts/executions';
import { settingsSchema } from '../contracts/settings';

/**
 * Schemas for the API's answers, as the browser parses them. Typed against the contract
 * interfaces, so a contract change that these miss fails the type check.
 */

export const agentDtoSchema: z.ZodType<AgentDto> = z.object({
  id: z.number(),
  name: z.string(),
  description: z.string(),
  model: z.string(),
  systemPrompt: z.string(),
  defaultPrompt: z.string(),
  allowedTools: z.array(z.string()),
  workingDirectory: z.string().nullable(),
  maxTurns: z.number(),
  timeoutSeconds: z.number(),
  maxConcurrentRuns: z.number(),
  apiMaxRetries: z.number(),
  runRetries: z.number(),
  runRetryDelaySeconds: z.number(),
  maxCostPerRunUsd: z.number().nullable(),
  monthlyBudgetUsd: z.number().nullable(),
  builtin: z.boolean(),
  createdAt: z.number(),
  updatedAt: z.number(),
});

const modelCostSchema: z.ZodType<ModelCost> = z.object({
  model: z.string(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheCreation5mTokens: z.number(),
  cacheCreation1hTokens: z.number(),
  cacheReadTokens: z.number(),
  costUsd: z.number(),
  reportedCostUsd: z.number(),
  costSource: z.enum(['computed', 'reported']),
  usageSource: z.enum(['stream', 'result']),
  unpriced: z.boolean(),
  costMismatch: z.boolean(),
  responseCount: z.number(),
});

const attemptSchema: z.ZodType<ExecutionAttemptDto> = z.object({
  attempt: z.number(),
  status: z.enum(EXECUTION_STATUSES),
  startedAt: z.number(),
  finishedAt: z.number(),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  apiRetryCount: z.number(),
  costUsd: z.number(),
  retryDelayMs: z.number().nullable(),
});

export const executionDetailSchema: z.ZodType<ExecutionDetail> = executionSummarySchema.extend({
  prompt: z.string(),
  resultText: z.string().nullable(),
  sessionId: z.string().nullable(),
  apiKeySource: z.string().nullable(),
  costs: z.array(modelCostSchema),
  attempts: z.array(attemptSchema),
});

export const agentResponseSchema = z.object({ agent: agentDtoSchema });
export const executionSummaryResponseSchema = z.object({ execution: executionSummarySchema });
export const executionDetailResponseSchema = z.object({ execution: executionDetailSchema });
export const executionPageSchema: z.ZodType<ExecutionPage> = z.object({
  items: z.array(executionSummarySchema),
  nextBefore: z.number().nullable(),
});
export const logLinesResponseSchema = z.object({ items: z.array(logLineSchema) });
export const settingsResponseSchema = z.object({ settings: settingsSchema });
