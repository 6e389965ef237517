import { z } from 'zod';
import { agentFields, usdLimit } from './agents';
import { multiLine, PROMPT_MAX_CHARS, singleLine } from './text';

/**
 * Workflows: a small graph of agent runs. The shapes here are shared by the editor and the API;
 * the checks that span fields (keys, dependencies, template references, cycles) are in
 * `src/lib/workflows/validate.ts`, which both run too.
 */

/** Step keys and input names appear inside template references, so they stay plain identifiers. */
export const STEP_KEY_SOURCE = '[A-Za-z][A-Za-z0-9_-]{0,63}';
export const INPUT_NAME_SOURCE = '[A-Za-z][A-Za-z0-9_]{0,63}';

export const RUN_IF = ['success', 'failure', 'always'] as const;
export type RunIf = (typeof RUN_IF)[number];

export const WORKFLOW_TRIGGERS = ['manual', 'api', 'schedule'] as const;
export type WorkflowTrigger = (typeof WORKFLOW_TRIGGERS)[number];

export const WORKFLOW_RUN_STATUSES = [
  'queued',
  'running',
  'completed',
  'failed',
  'cancelled',
  'budget_exceeded',
  'interrupted',
] as const;
export type WorkflowRunStatus = (typeof WORKFLOW_RUN_STATUSES)[number];

/** How a stop asked of a run (cancel, or its budget reached) ends it once its stopped steps have ended. */
export const WORKFLOW_STOPS = ['cancelled', 'budget_exceeded'] as const;
export type WorkflowStop = (typeof WORKFLOW_STOPS)[number];

export const WORKFLOW_STEP_STATUSES = [
  'pending',
  'queued',
  'running',
  'completed',
  'failed',
  'skipped',
  'cancelled',
  'timeout',
  'budget_exceeded',
  'interrupted',
] as const;
export type WorkflowStepStatus = (typeof WORKFLOW_STEP_STATUSES)[number];

/** An input value: text a prompt quotes, so multi-line, at most as long as a prompt. */
const inputValue = multiLine(z.string().max(PROMPT_MAX_CHARS, 'At most 50,000 characters'));

const workflowInputFieldSchema = z.strictObject({
  name: z
    .string()
    .trim()
    .regex(
      new RegExp(`^${INPUT_NAME_SOURCE}$`),
      'Letters, digits and _, starting with a letter (at most 64)',
    ),
  label: singleLine(z.string().trim().max(100, 'At most 100 characters')).optional(),
  required: z.boolean().default(false),
  default: inputValue.optional(),
});
export type WorkflowInputField = z.infer<typeof workflowInputFieldSchema>;

const workflowStepSchema = z.strictObject({
  key: z
    .string()
    .trim()
    .regex(
      new RegExp(`^${STEP_KEY_SOURCE}$`),
      'Letters, digits, _ and -, starting with a letter (at most 64)',
    ),
  agentId: z.number().int().positive('Pick an agent'),
  /** A template: `{{input.<field>}}`, `{{steps.<key>.result}}`, `{{steps.<key>.output.<path>}}`. */
  prompt: multiLine(
    z.string().trim().min(1, 'A prompt is required').max(PROMPT_MAX_CHARS, 'At most 50,000 characters'),
  ),
  /** Keys of the steps this one waits for; none: it starts with the run. */
  dependsOn: z.array(z.string()).max(50, 'At most 50 dependencies').default([]),
  runIf: z.enum(RUN_IF).default('success'),
  /** Overrides of the agent's own settings for this step. */
  timeoutSeconds: agentFields.timeoutSeconds.optional(),
  runRetries: agentFields.runRetries.optional(),
  approvalTimeoutMinutes: agentFields.approvalTimeoutMinutes.optional(),
});
export type WorkflowStep = z.infer<typeof workflowStepSchema>;

/** The fields of a workflow without defaults, so a PATCH changes only what it names. */
const workflowFields = {
  name: agentFields.name,
  description: agentFields.description,
  inputs: z.array(workflowInputFieldSchema).max(20, 'At most 20 input fields'),
  /** The spending limit of one run of the workflow, across its steps; null for none. */
  maxCostUsd: usdLimit,
  /** Steps of one run queued or running at once (the engine's global and per-agent limits apply too). */
  maxParallel: z.number().int('Must be a whole number').min(1, 'At least 1').max(20, 'At most 20'),
  steps: z.array(workflowStepSchema).min(1, 'At least one step').max(50, 'At most 50 steps'),
};

export const WORKFLOW_DEFAULTS = { description: '', maxCostUsd: null, maxParallel: 2 } as const;

export const workflowDefinitionSchema = z.strictObject({
  ...workflowFields,
  description: workflowFields.description.default(WORKFLOW_DEFAULTS.description),
  inputs: workflowFields.inputs.default([]),
  maxCostUsd: workflowFields.maxCostUsd.default(WORKFLOW_DEFAULTS.maxCostUsd),
  maxParallel: workflowFields.maxParallel.default(WORKFLOW_DEFAULTS.maxParallel),
});
/** A workflow as stored and run: every default filled in. */
export type WorkflowDefinition = z.output<typeof workflowDefinitionSchema>;
/** A workflow as a client may send it. */
export type WorkflowDefinitionInput = z.input<typeof workflowDefinitionSchema>;

/** PATCH: the fields given replace the current ones (`steps` as a whole); the result is validated as a whole. */
export const updateWorkflowSchema = z
  .strictObject({
    name: workflowFields.name.optional(),
    description: workflowFields.description.optional(),
    inputs: workflowFields.inputs.optional(),
    maxCostUsd: workflowFields.maxCostUsd.optional(),
    maxParallel: workflowFields.maxParallel.optional(),
    steps: workflowFields.steps.optional(),
  })
  .refine((value) => Object.keys(value).length > 0, 'At least one field to change');
export type UpdateWorkflowInput = z.infer<typeof updateWorkflowSchema>;

/** Input values by field name. */
export const workflowInputValuesSchema = z.record(z.string(), inputValue);
export type WorkflowInputValues = z.infer<typeof workflowInputValuesSchema>;

/** Body of `POST /api/workflows/[id]/runs`. */
/** The body may be left out (`curl -X POST` with nothing): a run without input. */
export const startWorkflowRunSchema = z
  .strictObject({ input: workflowInputValuesSchema.optional() })
  .optional();
export type StartWorkflowRunInput = z.infer<typeof startWorkflowRunSchema>;

export const listWorkflowRunsQuerySchema = z.strictObject({
  workflowId: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  /** Keyset paging: runs with an id below this one. */
  before: z.coerce.number().int().positive().optional(),
});
export type ListWorkflowRunsQuery = z.infer<typeof listWorkflowRunsQuerySchema>;

/** A saved workflow: its current definition and version. */
export const workflowSchema = workflowDefinitionSchema.extend({
  id: z.number(),
  /** Each save makes a new version; a run keeps the version it ran. */
  version: z.number(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type WorkflowDto = z.output<typeof workflowSchema>;

/** A row of the workflow list. */
export const workflowSummarySchema = z.object({
  id: z.number(),
  name: z.string(),
  description: z.string(),
  version: z.number(),
  stepCount: z.number(),
  maxCostUsd: z.number().nullable(),
  updatedAt: z.number(),
});
export type WorkflowSummaryDto = z.infer<typeof workflowSummarySchema>;

/** One step of a workflow run, with what the graph needs to draw it (from the version the run ran). */
export const workflowRunStepSchema = z.object({
  key: z.string(),
  agentId: z.number(),
  dependsOn: z.array(z.string()),
  runIf: z.enum(RUN_IF),
  status: z.enum(WORKFLOW_STEP_STATUSES),
  executionId: z.number().nullable(),
  /** The step's final result text, once it completed. */
  result: z.string().nullable(),
  /** Why it was skipped, or why it ended without a run of its own (e.g. a monthly budget refused it). */
  reason: z.string().nullable(),
  /** Template references that had no value when the prompt was rendered (rendered as ''). */
  missingValues: z.array(z.string()),
  costUsd: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
});
export type WorkflowRunStepDto = z.infer<typeof workflowRunStepSchema>;

/** The compact row lists (and the dashboard) show. */
export const workflowRunSummarySchema = z.object({
  id: z.number(),
  workflowId: z.number(),
  workflowName: z.string(),
  workflowVersion: z.number(),
  status: z.enum(WORKFLOW_RUN_STATUSES),
  /** Set while a cancel or the budget is stopping the run's steps: the status it will end with. */
  stopping: z.enum(WORKFLOW_STOPS).nullable(),
  trigger: z.enum(WORKFLOW_TRIGGERS),
  scheduleId: z.number().nullable(),
  /** The sum of the steps' spend, live. */
  spendUsd: z.number(),
  budgetUsd: z.number().nullable(),
  stepCount: z.number(),
  stepsEnded: z.number(),
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  error: z.string().nullable(),
});
export type WorkflowRunSummaryDto = z.infer<typeof workflowRunSummarySchema>;

/** `GET /api/workflow-runs/[id]`: the run with its input and every step, in definition order. */
export const workflowRunSchema = workflowRunSummarySchema.extend({
  input: workflowInputValuesSchema,
  steps: z.array(workflowRunStepSchema),
});
export type WorkflowRunDto = z.infer<typeof workflowRunSchema>;

export const workflowRunPageSchema = z.object({
  items: z.array(workflowRunSummarySchema),
  nextBefore: z.number().nullable(),
});
export type WorkflowRunPage = z.infer<typeof workflowRunPageSchema>;

export const workflowResponseSchema = z.object({ workflow: workflowSchema });
export const workflowListResponseSchema = z.object({ items: z.array(workflowSummarySchema) });
export const workflowRunResponseSchema = z.object({ run: workflowRunSchema });
