import { z } from 'zod';
import { executionResourcesSchema } from './runResources';
import { multiLine, PROMPT_MAX_CHARS } from './text';

export const EXECUTION_STATUSES = [
  'queued',
  'running',
  'completed',
  'failed',
  'cancelled',
  'timeout',
  'budget_exceeded',
  'interrupted',
  /** A tool call waits for a person: with its process for a short while, then without one (no slot, no spend). */
  'awaiting_approval',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** Not ended: a schedule's overlap rule counts these, and they cannot be continued yet. */
export const ACTIVE_STATUSES = [
  'queued',
  'running',
  'awaiting_approval',
] as const satisfies readonly ExecutionStatus[];
export type ActiveStatus = (typeof ACTIVE_STATUSES)[number];
export type EndedStatus = Exclude<ExecutionStatus, ActiveStatus>;
export const isActiveStatus = (status: ExecutionStatus): status is ActiveStatus =>
  (ACTIVE_STATUSES as readonly ExecutionStatus[]).includes(status);
export const isEndedStatus = (status: ExecutionStatus): status is EndedStatus => !isActiveStatus(status);

/** The error code of an attempt the server handed back as it stopped: the run is queued again for its next start. */
export const HANDED_BACK = 'handed_back';

/**
 * What started a run: the page (`manual`), a script with the Bearer token (`api`), a schedule, a
 * workflow, or a person continuing an earlier run's session (`continue`).
 */
export const EXECUTION_TRIGGERS = ['manual', 'api', 'schedule', 'workflow', 'continue'] as const;
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

/** Starts the log line that says a run's log reached its cap (and, at the end, how much was left out). */
export const LOG_TRUNCATED_MARKER = '[truncated]';
export const isTruncationMarker = (text: string): boolean => text.startsWith(LOG_TRUNCATED_MARKER);
export type LogLevel = (typeof LOG_LEVELS)[number];

const promptField = multiLine(
  z.string().trim().min(1, 'Prompt must not be empty').max(PROMPT_MAX_CHARS, 'At most 50,000 characters'),
);

export const startExecutionSchema = z.strictObject({
  agentId: z.number().int().positive(),
  prompt: promptField.optional(),
});
export type StartExecutionInput = z.infer<typeof startExecutionSchema>;

/** How the Runs page and `GET /api/executions` can order runs; `created` is newest (or oldest) first. */
export const RUN_SORTS = ['created', 'duration', 'cost'] as const;
export type RunSort = (typeof RUN_SORTS)[number];
export const SORT_ORDERS = ['desc', 'asc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

/** `POST /api/executions/[id]/continue`: a new run on the same Claude session, or a fork of it. */
export const continueExecutionSchema = z.strictObject({
  prompt: promptField,
  /** Continue in a new session that starts from this one's history, leaving it as it is. */
  fork: z.boolean().optional(),
});
export type ContinueExecutionInput = z.infer<typeof continueExecutionSchema>;

/** `POST /api/executions/[id]/rerun`: the same agent again, with the run's prompt or another. */
export const rerunExecutionSchema = z.strictObject({ prompt: promptField.optional() }).optional();

/** Why a tool call was denied. */
export const DENIAL_REASONS = [
  /** A deny rule, or a call no rule allowed while unlisted calls are denied. */
  'policy',
  /** A person denied it. */
  'person',
  /** Nobody answered in time and the policy denies then. */
  'approval_timeout',
] as const;
export type DenialReason = (typeof DENIAL_REASONS)[number];

export const denialSchema = z.object({
  toolName: z.string(),
  toolUseId: z.string(),
  reason: z.enum(DENIAL_REASONS),
  /** What the model was told. */
  message: z.string(),
  /** A hint for the agent's owner, e.g. the rule that named the call and why it still did not run. */
  hint: z.string().nullable(),
  /** The call's input, shortened. */
  input: z.string(),
  at: z.number(),
});
export type DenialDto = z.infer<typeof denialSchema>;

/** Things about a run worth a look, besides its status. */
export const RUN_WARNING_CODES = [
  /** The run ended, but every tool call it made was denied: it likely did none of its work. */
  'all_tool_calls_denied',
  /** An approval timed out and the policy denied the call (a failed run says so in its error instead). */
  'approval_timeout',
  /** A continue or an approval's resume did not get the earlier conversation back. */
  'resume_not_taken',
] as const;
export type RunWarningCode = (typeof RUN_WARNING_CODES)[number];

export const runWarningSchema = z.object({ code: z.enum(RUN_WARNING_CODES), message: z.string() });
export type RunWarning = z.infer<typeof runWarningSchema>;

/** Time ranges the Runs page offers, counted back from now. */
export const RUN_RANGES = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 604_800_000,
  '30d': 2_592_000_000,
} as const;
export type RunRange = keyof typeof RUN_RANGES;
const RUN_RANGE_KEYS = Object.keys(RUN_RANGES) as [RunRange, ...RunRange[]];

/**
 * Where the next page starts: the last row's sort key and id, with the sort it belongs to
 * (`cost:1250:4711`), so a cursor from one sort is refused under another.
 */
export interface RunCursor {
  sort: RunSort;
  key: number;
  id: number;
}

const CURSOR_PATTERN = /^(created|duration|cost):(-?\d{1,16}):(\d{1,16})$/;

export const encodeRunCursor = ({ sort, key, id }: RunCursor): string => `${sort}:${key}:${id}`;

export function decodeRunCursor(cursor: string): RunCursor | undefined {
  const match = CURSOR_PATTERN.exec(cursor);
  if (!match) return undefined;
  const [, sort, key, id] = match;
  return { sort: sort as RunSort, key: Number(key), id: Number(id) };
}

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

/** The Runs page's URL and `GET /api/executions` take these same parameters. */
export const listExecutionsQuerySchema = z
  .strictObject({
    agentId: z.coerce.number().int().positive().optional(),
    status: z.enum(EXECUTION_STATUSES).optional(),
    trigger: z.enum(EXECUTION_TRIGGERS).optional(),
    scheduleId: z.coerce.number().int().positive().optional(),
    /** Words to find in the prompt or the result (all of them, each a whole word). */
    q: z.preprocess(emptyAsUndefined, z.string().trim().min(1).max(200).optional()),
    /** Runs created in the last hour, day, week or 30 days. */
    range: z.enum(RUN_RANGE_KEYS).optional(),
    /** Runs created at or after / before these moments (epoch ms). */
    from: z.coerce.number().int().nonnegative().optional(),
    to: z.coerce.number().int().nonnegative().optional(),
    sort: z.enum(RUN_SORTS).default('created'),
    order: z.enum(SORT_ORDERS).default('desc'),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    /** The `nextCursor` of the previous page. */
    cursor: z
      .string()
      .refine((value) => decodeRunCursor(value) !== undefined, 'Not a cursor this API gave')
      .optional(),
    /** Older form of paging (newest first only): runs with an id below this one. */
    before: z.coerce.number().int().positive().optional(),
  })
  .superRefine((query, context) => {
    const cursor = query.cursor === undefined ? undefined : decodeRunCursor(query.cursor);
    if (cursor && cursor.sort !== query.sort) {
      context.addIssue({
        code: 'custom',
        path: ['cursor'],
        message: `The cursor is for sort=${cursor.sort}, not sort=${query.sort}`,
      });
    }
    if (query.from !== undefined && query.to !== undefined && query.from > query.to) {
      context.addIssue({ code: 'custom', path: ['to'], message: 'Must not be before from' });
    }
  });
export type ListExecutionsQuery = z.infer<typeof listExecutionsQuerySchema>;
/** What code (not a URL) asks for: the sort and order default as in the API. */
export type ListExecutionsInput = Omit<ListExecutionsQuery, 'sort' | 'order'> &
  Partial<Pick<ListExecutionsQuery, 'sort' | 'order'>>;

/**
 * Pages backwards through a long log (the newest `limit` lines before `beforeSeq`), or, with
 * `format=text`, the whole log as a text file.
 */
export const executionLogsQuerySchema = z.strictObject({
  beforeSeq: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(5_000),
  format: z.enum(['json', 'text']).default('json'),
});

/** The compact row that lists and the live list channel carry. */
export const executionSummarySchema = z.object({
  id: z.number(),
  agentId: z.number(),
  agentName: z.string(),
  status: z.enum(EXECUTION_STATUSES),
  trigger: z.enum(EXECUTION_TRIGGERS),
  /** The schedule that started it, when `trigger` is `schedule`. */
  scheduleId: z.number().nullable(),
  /** The workflow run and the step it is, when `trigger` is `workflow`. */
  workflowRunId: z.number().nullable(),
  workflowStepKey: z.string().nullable(),
  /** The schedule's or workflow's name, when one started the run. */
  triggerName: z.string().nullable(),
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
  /** While `queued`: what holds it besides its place ("waiting for a worker with labels gpu"); else null. */
  waitReason: z.string().nullable(),
  /** The worker that ran its last attempt (see `GET /api/workers`); null until one starts it. */
  workerId: z.string().nullable(),
  /** 1 for the first attempt; transient failures may retry the whole run. */
  attempt: z.number(),
  /** While waiting to be retried: when the next attempt is due. */
  nextAttemptAt: z.number().nullable(),
  /** The run this one continues (trigger `continue`); null otherwise. */
  parentExecutionId: z.number().nullable(),
  /** Tool calls denied so far (by policy, by a person, or for lack of an answer). */
  deniedToolCalls: z.number(),
  warnings: z.array(runWarningSchema),
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

export const modelCostSchema = z.object({
  model: z.string(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheCreation5mTokens: z.number(),
  cacheCreation1hTokens: z.number(),
  cacheReadTokens: z.number(),
  costUsd: z.number(),
  /** The SDK's own estimate, shown beside ours. */
  reportedCostUsd: z.number(),
  /** Which figure costUsd is: our price table, or the SDK's for a model the table lacks. */
  costSource: z.enum(['computed', 'reported']),
  /** Token counts from the stream, or raised to the result message's totals. */
  usageSource: z.enum(['stream', 'result']),
  unpriced: z.boolean(),
  /** Computed and reported cost differ by more than 1%. */
  costMismatch: z.boolean(),
  responseCount: z.number(),
}) satisfies z.ZodType<TokenUsage>;
export type ModelCost = z.infer<typeof modelCostSchema>;

/** One attempt of an execution. */
export const executionAttemptSchema = z.object({
  attempt: z.number(),
  status: z.enum(EXECUTION_STATUSES),
  startedAt: z.number(),
  finishedAt: z.number(),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  apiRetryCount: z.number(),
  costUsd: z.number(),
  /** The backoff before the next attempt; null for the last one. */
  retryDelayMs: z.number().nullable(),
});
export type ExecutionAttemptDto = z.infer<typeof executionAttemptSchema>;

/**
 * Everything the execution page shows about a run except its prompt: what the engine publishes on
 * every change, so the page never has to ask the API again.
 */
export const executionLiveSchema = executionSummarySchema.extend({
  resultText: z.string().nullable(),
  sessionId: z.string().nullable(),
  /** Where the credential came from (`ANTHROPIC_API_KEY`, `oauth`…), never the credential. */
  apiKeySource: z.string().nullable(),
  /** The agent's structured answer, for agents that give one (the System Health Reporter's report); else null. */
  structuredOutput: z.unknown(),
  /** A continue that started in a new session branched from its parent's. */
  forked: z.boolean(),
  costs: z.array(modelCostSchema),
  attempts: z.array(executionAttemptSchema),
  denials: z.array(denialSchema),
});
export type ExecutionLive = z.infer<typeof executionLiveSchema>;

/** One run of a continue chain, as its page lists them. */
export const chainLinkSchema = z.object({
  id: z.number(),
  parentExecutionId: z.number().nullable(),
  status: z.enum(EXECUTION_STATUSES),
  trigger: z.enum(EXECUTION_TRIGGERS),
  forked: z.boolean(),
  costUsd: z.number(),
  createdAt: z.number(),
});
export type ChainLink = z.infer<typeof chainLinkSchema>;

/** Every run continued from the same first run, oldest first, and what they cost together. */
export const executionChainSchema = z.object({
  rootId: z.number(),
  executions: z.array(chainLinkSchema),
  totalCostUsd: z.number(),
});
export type ExecutionChain = z.infer<typeof executionChainSchema>;

/**
 * What continuing a run would start from (`GET /api/executions/[id]/continue`): whether its
 * transcript is kept, how old it is against the prompt cache's lifetime, and what the first turn
 * would cost to write the cache again.
 */
export const continuePreviewSchema = z.object({
  executionId: z.number(),
  /** False when the run cannot be continued now; `reason` says why. */
  available: z.boolean(),
  reason: z.string().nullable(),
  sessionId: z.string().nullable(),
  /** Entries ClaudeOps keeps of the session's transcript. */
  transcriptEntries: z.number(),
  /** Time since the transcript's last entry. */
  transcriptAgeMs: z.number().nullable(),
  /** The prompt cache lifetime with an API key (5 minutes); past it the context is written again. */
  cacheTtlMs: z.number(),
  cacheWarm: z.boolean(),
  /** The context the last turn sent (input, cache read and cache write tokens). */
  contextTokens: z.number(),
  model: z.string(),
  /** contextTokens × the model's 5-minute cache-write price: the first turn's extra cost when cold. */
  estimatedFirstTurnCostUsd: z.number(),
  /** The model is missing from the price table: the estimate is 0. */
  unpriced: z.boolean(),
});
export type ContinuePreview = z.infer<typeof continuePreviewSchema>;

/**
 * The whole run, as `GET /api/executions/[id]` and the execution page have it: the live view, the
 * prompt, and what its process tree used (absent where only the live view was read).
 */
export const executionDetailSchema = executionLiveSchema.extend({
  prompt: z.string(),
  /** When retention dropped the run's log lines and steps; null (or absent) while they are kept. */
  outputPrunedAt: z.number().nullable().optional(),
  resources: executionResourcesSchema.optional(),
  /** The continue chain it belongs to (absent where only the live view was read). */
  chain: executionChainSchema.optional(),
});
export type ExecutionDetail = z.infer<typeof executionDetailSchema>;

export const executionPageSchema = z.object({
  items: z.array(executionSummarySchema),
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: z.string().nullable(),
  /** The older form, kept for existing scripts: the `before` of the next page, newest-first only. */
  nextBefore: z.number().nullable(),
  /**
   * On a search only, when the disk refused the search index's catch-up write: how many of the
   * newest runs the answer does not cover (they are found again once the disk has room).
   */
  unindexedRuns: z.number().int().positive().optional(),
});
export type ExecutionPage = z.infer<typeof executionPageSchema>;

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

export const executionSummaryResponseSchema = z.object({ execution: executionSummarySchema });
export const startedExecutionResponseSchema = z.object({ execution: executionLiveSchema });
export const cancellingExecutionResponseSchema = z.object({
  execution: executionSummarySchema,
  cancelling: z.literal(true),
});
export const executionDetailResponseSchema = z.object({ execution: executionDetailSchema });
export const continuePreviewResponseSchema = z.object({ preview: continuePreviewSchema });
export const logLinesResponseSchema = z.object({ items: z.array(logLineSchema) });
