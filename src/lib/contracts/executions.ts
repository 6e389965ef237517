import { z } from 'zod';

export const EXECUTION_STATUSES = [
  'queued',
  'running',
  'completed',
  'failed',
  'cancelled',
  'timeout',
  'budget_exceeded',
  'interrupted',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export const ACTIVE_STATUSES: readonly ExecutionStatus[] = ['queued', 'running'];
export const isActiveStatus = (status: ExecutionStatus): boolean => ACTIVE_STATUSES.includes(status);

/** `workflow`: a step of a workflow run (the execution row names the run and the step). */
export const EXECUTION_TRIGGERS = ['manual', 'schedule', 'workflow'] as const;
export type ExecutionTrigger = (typeof EXECUTION_TRIGGERS)[number];

export const STEP_KINDS = [
  'system',
  'assistant_text',
  'thinking',
  'tool_use',
  'tool_result',
  'result',
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const startExecutionSchema = z.strictObject({
  agentId: z.number().int().positive(),
  prompt: z.string().trim().min(1, 'Prompt must not be empty').max(50_000).optional(),
});
export type StartExecutionInput = z.infer<typeof startExecutionSchema>;

export const listExecutionsQuerySchema = z.strictObject({
  agentId: z.coerce.number().int().positive().optional(),
  status: z.enum(EXECUTION_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  /** Keyset paging: return executions with an id below this one. */
  before: z.coerce.number().int().positive().optional(),
});
export type ListExecutionsQuery = z.infer<typeof listExecutionsQuerySchema>;

/** Pages backwards through a long log: the newest `limit` lines before `beforeSeq`. */
export const executionLogsQuerySchema = z.strictObject({
  beforeSeq: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(5_000),
});

/** The compact row that lists and the live list channel carry. */
export const executionSummarySchema = z.object({
  id: z.number(),
  agentId: z.number(),
  agentName: z.string(),
  status: z.enum(EXECUTION_STATUSES),
  trigger: z.enum(EXECUTION_TRIGGERS),
  model: z.string(),
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  durationMs: z.number().nullable(),
  numTurns: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheCreationTokens: z.number(),
  cacheReadTokens: z.number(),
  costUsd: z.number(),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  lastSeq: z.number(),
  /** API calls Claude Code retried (rate limits, overloads, dropped connections). */
  apiRetryCount: z.number(),
  /** 1-based place in the queue while `queued`; null otherwise. */
  queuePosition: z.number().nullable(),
  /** 1 for the first attempt; transient failures may retry the whole run. */
  attempt: z.number(),
  /** While waiting to be retried: when the next attempt is due. */
  nextAttemptAt: z.number().nullable(),
});
export type ExecutionSummary = z.infer<typeof executionSummarySchema>;

/** Token counts by kind, as the API bills them: cache writes split by lifetime (priced apart). */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheCreation5mTokens: number;
  cacheCreation1hTokens: number;
  cacheReadTokens: number;
}

/** Every token kind, in billing order. */
export const TOKEN_KINDS = [
  'inputTokens',
  'outputTokens',
  'cacheCreation5mTokens',
  'cacheCreation1hTokens',
  'cacheReadTokens',
] as const satisfies readonly (keyof TokenUsage)[];

export interface ModelCost extends TokenUsage {
  model: string;
  costUsd: number;
  /** The SDK's own estimate, shown beside ours. */
  reportedCostUsd: number;
  /** Which figure costUsd is: our price table, or the SDK's for a model the table lacks. */
  costSource: 'computed' | 'reported';
  /** Token counts from the stream, or raised to the result message's totals. */
  usageSource: 'stream' | 'result';
  unpriced: boolean;
  /** Computed and reported cost differ by more than 1%. */
  costMismatch: boolean;
  responseCount: number;
}

/** One attempt of an execution. */
export interface ExecutionAttemptDto {
  attempt: number;
  status: ExecutionStatus;
  startedAt: number;
  finishedAt: number;
  errorCode: string | null;
  errorMessage: string | null;
  apiRetryCount: number;
  costUsd: number;
  /** The backoff before the next attempt; null for the last one. */
  retryDelayMs: number | null;
}

export interface ExecutionDetail extends ExecutionSummary {
  prompt: string;
  resultText: string | null;
  sessionId: string | null;
  apiKeySource: string | null;
  costs: ModelCost[];
  attempts: ExecutionAttemptDto[];
}

export interface ExecutionPage {
  items: ExecutionSummary[];
  nextBefore: number | null;
}

export const stepSchema = z.object({
  seq: z.number(),
  kind: z.enum(STEP_KINDS),
  summary: z.string(),
  toolName: z.string().nullable(),
  toolUseId: z.string().nullable(),
  isError: z.boolean(),
  payload: z.unknown(),
  createdAt: z.number(),
});
export type StepDto = z.infer<typeof stepSchema>;

/** The payload of the step recorded for each API call Claude Code retries. */
export const apiRetryPayloadSchema = z.object({
  type: z.literal('api_retry'),
  attempt: z.number(),
  maxRetries: z.number(),
  retryDelayMs: z.number(),
  /** null when the connection failed before any HTTP answer. */
  errorStatus: z.number().nullable(),
  error: z.string(),
});
export type ApiRetryPayload = z.infer<typeof apiRetryPayloadSchema>;

export const logLineSchema = z.object({
  seq: z.number(),
  level: z.enum(LOG_LEVELS),
  text: z.string(),
  createdAt: z.number(),
});
export type LogLineDto = z.infer<typeof logLineSchema>;

export const microsToUsd = (micros: number): number => micros / 1_000_000;
export const usdToMicros = (usd: number): number => Math.round(usd * 1_000_000);
