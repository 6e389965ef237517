import { z } from 'zod';
import { patchOf } from './patch';
import {
  APPROVAL_TIMEOUT_ACTIONS,
  type ApprovalTimeoutAction,
  permissionRulesSchema,
  UNLISTED_TOOL_POLICIES,
  type UnlistedToolPolicy,
} from './permissions';
import { multiLine, PROMPT_MAX_CHARS, singleLine } from './text';
import { requiredLabelsSchema } from './workers';

/** Validation shared by the agent form and the API, so both reject the same input the same way. */

export const AGENT_DEFAULTS = {
  description: '',
  systemPrompt: '',
  allowedTools: [] as string[],
  deniedTools: [] as string[],
  rememberedTools: [] as string[],
  additionalDirectories: [] as string[],
  requiredLabels: [] as string[],
  unlistedTools: 'deny' as UnlistedToolPolicy,
  approvalTimeoutMinutes: 60,
  onApprovalTimeout: 'deny' as ApprovalTimeoutAction,
  workingDirectory: null as string | null,
  maxTurns: 10,
  timeoutSeconds: 600,
  maxConcurrentRuns: 1,
  apiMaxRetries: 10,
  runRetries: 2,
  runRetryDelaySeconds: 30,
  maxCostPerRunUsd: null as number | null,
  monthlyBudgetUsd: null as number | null,
};

/** Suggestions for the model field (any id is accepted; ids missing from the price table are flagged unpriced). */
export const KNOWN_MODELS = [
  'claude-sonnet-4-5',
  'claude-sonnet-4-6',
  'claude-opus-4-5',
  'claude-opus-4-6',
  'claude-haiku-4-5',
] as const;

/** A spending limit in USD; null for none. Stored as integer micro-dollars. */
export const usdLimit = z
  .number()
  .positive('Must be more than 0, or null for no limit')
  .max(1_000_000, 'At most 1,000,000')
  .nullable();

const absolutePath = singleLine(
  z
    .string()
    .trim()
    .max(4_096)
    .refine((value) => value.startsWith('/'), 'Must be an absolute path'),
);

/** How long a tool call may wait for a person, in minutes: a minute to a week. */
export const APPROVAL_TIMEOUT_BOUNDS = { min: 1, max: 10_080 } as const;

/** Minutes a tool call may wait for a person; schedules and workflow steps may set their own. */
export const approvalTimeoutMinutes = z
  .number()
  .int('Must be a whole number')
  .min(APPROVAL_TIMEOUT_BOUNDS.min, 'At least 1 minute')
  .max(APPROVAL_TIMEOUT_BOUNDS.max, 'At most 7 days');

export const agentFields = {
  name: singleLine(z.string().trim().min(1, 'Name is required').max(100, 'At most 100 characters')),
  description: multiLine(z.string().trim().max(2_000, 'At most 2,000 characters')),
  model: z
    .string()
    .trim()
    .min(1, 'Model is required')
    .max(100)
    .regex(/^[a-z0-9][a-z0-9._:[\]-]*$/i, 'Letters, digits, dots, dashes and colons only'),
  systemPrompt: multiLine(z.string().max(PROMPT_MAX_CHARS, 'At most 50,000 characters')),
  defaultPrompt: multiLine(
    z
      .string()
      .trim()
      .min(1, 'A default prompt is required')
      .max(PROMPT_MAX_CHARS, 'At most 50,000 characters'),
  ),
  /** Calls these rules cover run without asking (see contracts/permissions.ts for the syntax). */
  allowedTools: permissionRulesSchema,
  /** Calls these rules cover are always denied, whatever else allows them. */
  deniedTools: permissionRulesSchema,
  /** Rules saved by "approve and remember": allowed like `allowedTools`, listed apart so they can be revoked. */
  rememberedTools: permissionRulesSchema,
  /** Directories besides the working directory that the agent's tools may read (Claude Code checks paths). */
  additionalDirectories: z.array(absolutePath).max(20, 'At most 20 directories'),
  /** Labels the worker that runs it must carry (WORKER_LABELS); until one does, its runs wait queued. */
  requiredLabels: requiredLabelsSchema,
  /** A call no rule covers: denied (today's behaviour), or held for a person to approve. */
  unlistedTools: z.enum(UNLISTED_TOOL_POLICIES, { error: 'One of deny, ask' }),
  /** How long a call waits for a person before `onApprovalTimeout` applies. */
  approvalTimeoutMinutes,
  onApprovalTimeout: z.enum(APPROVAL_TIMEOUT_ACTIONS, { error: 'One of deny, fail' }),
  workingDirectory: absolutePath.nullable(),
  maxTurns: z.number().int('Must be a whole number').min(1, 'At least 1').max(200, 'At most 200'),
  timeoutSeconds: z
    .number()
    .int('Must be a whole number')
    .min(10, 'At least 10 seconds')
    .max(86_400, 'At most 24 hours'),
  maxConcurrentRuns: z.number().int('Must be a whole number').min(1, 'At least 1').max(20, 'At most 20'),
  apiMaxRetries: z.number().int('Must be a whole number').min(0, 'At least 0').max(20, 'At most 20'),
  runRetries: z.number().int('Must be a whole number').min(0, 'At least 0').max(10, 'At most 10'),
  runRetryDelaySeconds: z
    .number()
    .int('Must be a whole number')
    .min(1, 'At least 1 second')
    .max(3_600, 'At most 1 hour'),
  maxCostPerRunUsd: usdLimit,
  monthlyBudgetUsd: usdLimit,
};

const createAgentShape = z.strictObject({
  name: agentFields.name,
  description: agentFields.description.optional(),
  model: agentFields.model,
  systemPrompt: agentFields.systemPrompt.optional(),
  defaultPrompt: agentFields.defaultPrompt,
  allowedTools: agentFields.allowedTools.optional(),
  deniedTools: agentFields.deniedTools.optional(),
  rememberedTools: agentFields.rememberedTools.optional(),
  additionalDirectories: agentFields.additionalDirectories.optional(),
  requiredLabels: agentFields.requiredLabels.optional(),
  unlistedTools: agentFields.unlistedTools.optional(),
  approvalTimeoutMinutes: agentFields.approvalTimeoutMinutes.optional(),
  onApprovalTimeout: agentFields.onApprovalTimeout.optional(),
  workingDirectory: agentFields.workingDirectory.optional(),
  maxTurns: agentFields.maxTurns.optional(),
  timeoutSeconds: agentFields.timeoutSeconds.optional(),
  maxConcurrentRuns: agentFields.maxConcurrentRuns.optional(),
  apiMaxRetries: agentFields.apiMaxRetries.optional(),
  runRetries: agentFields.runRetries.optional(),
  runRetryDelaySeconds: agentFields.runRetryDelaySeconds.optional(),
  maxCostPerRunUsd: agentFields.maxCostPerRunUsd.optional(),
  monthlyBudgetUsd: agentFields.monthlyBudgetUsd.optional(),
});

interface RuleLists {
  allowedTools?: string[] | undefined;
  deniedTools?: string[] | undefined;
}

/** A rule both allowed and denied is a mistake: the deny would win, silently. */
function noRuleInBothLists(value: RuleLists, ctx: z.RefinementCtx): void {
  const denied = new Set(value.deniedTools ?? []);
  (value.allowedTools ?? []).forEach((rule, index) => {
    if (denied.has(rule))
      ctx.addIssue({
        code: 'custom',
        path: ['allowedTools', index],
        message: `${rule} is also in deniedTools, and a deny always wins`,
      });
  });
}

export const createAgentSchema = createAgentShape.superRefine(noRuleInBothLists);
export type CreateAgentInput = z.infer<typeof createAgentSchema>;

export const updateAgentSchema = patchOf(createAgentShape).superRefine(noRuleInBothLists);
export type UpdateAgentInput = z.infer<typeof updateAgentSchema>;

/** An agent as the API and the pages see it. */
export const agentDtoSchema = z.object({
  id: z.number(),
  name: z.string(),
  description: z.string(),
  model: z.string(),
  systemPrompt: z.string(),
  defaultPrompt: z.string(),
  allowedTools: z.array(z.string()),
  deniedTools: z.array(z.string()),
  rememberedTools: z.array(z.string()),
  additionalDirectories: z.array(z.string()),
  /** Labels the worker that runs it must carry; [] for any worker. */
  requiredLabels: z.array(z.string()),
  unlistedTools: z.enum(UNLISTED_TOOL_POLICIES),
  approvalTimeoutMinutes: z.number(),
  onApprovalTimeout: z.enum(APPROVAL_TIMEOUT_ACTIONS),
  workingDirectory: z.string().nullable(),
  maxTurns: z.number(),
  timeoutSeconds: z.number(),
  maxConcurrentRuns: z.number(),
  apiMaxRetries: z.number(),
  /** Whole-run retries after a transient failure. */
  runRetries: z.number(),
  runRetryDelaySeconds: z.number(),
  maxCostPerRunUsd: z.number().nullable(),
  monthlyBudgetUsd: z.number().nullable(),
  builtin: z.boolean(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type AgentDto = z.infer<typeof agentDtoSchema>;

export const agentResponseSchema = z.object({ agent: agentDtoSchema });

/** Whether an agent's recent runs keep hitting denied tool calls. */
export const agentDenialSummarySchema = z.object({
  /** Runs looked at: the agent's most recent ones. */
  runs: z.number().int(),
  runsWithDenials: z.number().int(),
  deniedToolCalls: z.number().int(),
  /** The tools denied most, with how often. */
  tools: z.array(z.object({ toolName: z.string(), count: z.number().int() })),
});
export type AgentDenialSummary = z.infer<typeof agentDenialSummarySchema>;

/** One agent, as `GET /api/agents/:id` answers. */
export const agentDetailResponseSchema = agentResponseSchema.extend({
  recentDenials: agentDenialSummarySchema,
});
export const agentListResponseSchema = z.object({ items: z.array(agentDtoSchema) });
