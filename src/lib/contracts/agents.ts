import { z } from 'zod';
import { patchOf } from './patch';
import { multiLine, PROMPT_MAX_CHARS, singleLine } from './text';

/** Validation shared by the agent form and the API, so both reject the same input the same way. */

export const AGENT_DEFAULTS = {
  description: '',
  systemPrompt: '',
  allowedTools: [] as string[],
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

// Claude Code tool names, optionally with a permission rule: Bash, Read, Bash(git status:*), mcp__server__tool.
const TOOL_PATTERN = /^(?:[A-Z][A-Za-z0-9]*|mcp__[A-Za-z0-9_-]+)(?:\([^()\n]{1,200}\))?$/;

/** A spending limit in USD; null for none. Stored as integer micro-dollars. */
export const usdLimit = z
  .number()
  .positive('Must be more than 0, or null for no limit')
  .max(1_000_000, 'At most 1,000,000')
  .nullable();

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
  allowedTools: z
    .array(
      singleLine(
        z.string().trim().regex(TOOL_PATTERN, 'Not a Claude Code tool name, e.g. Bash or Bash(ls:*)'),
      ),
    )
    .max(50, 'At most 50 tools'),
  workingDirectory: singleLine(
    z
      .string()
      .trim()
      .max(4_096)
      .refine((value) => value.startsWith('/'), 'Must be an absolute path'),
  ).nullable(),
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

export const createAgentSchema = z.strictObject({
  name: agentFields.name,
  description: agentFields.description.optional(),
  model: agentFields.model,
  systemPrompt: agentFields.systemPrompt.optional(),
  defaultPrompt: agentFields.defaultPrompt,
  allowedTools: agentFields.allowedTools.optional(),
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
export type CreateAgentInput = z.infer<typeof createAgentSchema>;

export const updateAgentSchema = patchOf(createAgentSchema);
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
export const agentListResponseSchema = z.object({ items: z.array(agentDtoSchema) });
