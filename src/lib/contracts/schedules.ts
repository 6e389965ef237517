import { z } from 'zod';
import { approvalTimeoutMinutes } from './agents';
import type { ErrorIssue } from './errors';
import { patchOf } from './patch';
import { multiLine, PROMPT_MAX_CHARS, singleLine } from './text';
import { type WorkflowInputField, workflowInputValuesSchema } from './workflows';

/**
 * Schedules as the API and the pages see them. A schedule runs one target: an agent (with an
 * optional prompt) or a workflow (with its input). These schemas check shape and the target:
 * contracts import nothing but zod, so the cron expression and time zone are checked by
 * `scheduling/validation.ts`, which wraps these with the same cron library on both sides.
 */

/** What a slot does while a run this schedule started is still queued or running. */
export const OVERLAP_POLICIES = ['skip', 'buffer_one', 'allow'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** What happens to slots missed while the server was down. */
export const CATCH_UP_POLICIES = ['skip', 'latest'] as const;
export type CatchUpPolicy = (typeof CATCH_UP_POLICIES)[number];

/**
 * Outcomes that started no run: the dashboard lists schedules whose last firing ended so.
 * `refused_invalid`: the target cannot start as the schedule says (a workflow's input no longer fits it).
 * `skipped_storage`: the data directory's free space was below the floor, or writes were failing.
 */
export const UNRUN_OUTCOMES = [
  'skipped_overlap',
  'skipped_storage',
  'refused_budget',
  'refused_breaker',
  'refused_invalid',
  'missed',
] as const;

/** How a slot (or a manual "run now") ended: every slot the scheduler considers gets exactly one. */
export const FIRING_OUTCOMES = ['started', 'caught_up', ...UNRUN_OUTCOMES] as const;
export type FiringOutcome = (typeof FIRING_OUTCOMES)[number];

export const SCHEDULE_DEFAULTS = {
  name: '',
  enabled: true,
  prompt: null as string | null,
  overlapPolicy: 'skip' as OverlapPolicy,
  catchUp: 'skip' as CatchUpPolicy,
  catchUpWindowSeconds: 3_600,
  jitterSeconds: 0,
  approvalTimeoutMinutes: null as number | null,
};

/** How many upcoming times a schedule and a preview carry. */
export const NEXT_RUNS_COUNT = 5;

export const scheduleFields = {
  /** The agent it runs; null (or absent) when it runs a workflow. */
  agentId: z.number().int().positive().nullable(),
  /** The workflow it runs; null (or absent) when it runs an agent. */
  workflowId: z.number().int().positive().nullable(),
  /** The workflow run's input values (defaults fill the rest); a workflow target only. */
  workflowInput: workflowInputValuesSchema.nullable(),
  name: singleLine(z.string().trim().max(100, 'At most 100 characters')),
  cronExpression: singleLine(
    z.string().trim().min(1, 'A cron expression is required').max(200, 'At most 200 characters'),
  ),
  /** An IANA zone; when omitted on create, the server's own zone is stored. */
  timezone: singleLine(z.string().trim().min(1, 'A time zone is required').max(64, 'At most 64 characters')),
  enabled: z.boolean(),
  /** Overrides the agent's default prompt; null to use it. An agent target only. */
  prompt: multiLine(
    z
      .string()
      .trim()
      .min(1, 'Must not be empty (null to use the agent’s prompt)')
      .max(PROMPT_MAX_CHARS, 'At most 50,000 characters'),
  ).nullable(),
  overlapPolicy: z.enum(OVERLAP_POLICIES),
  catchUp: z.enum(CATCH_UP_POLICIES),
  catchUpWindowSeconds: z
    .number()
    .int('Must be a whole number')
    .min(60, 'At least 60 seconds')
    .max(604_800, 'At most 7 days'),
  jitterSeconds: z.number().int('Must be a whole number').min(0, 'At least 0').max(3_600, 'At most 1 hour'),
  /** How long its runs' tool calls wait for a person; null: the agent's own setting. An agent target only. */
  approvalTimeoutMinutes: approvalTimeoutMinutes.nullable(),
};

interface TargetFields {
  agentId?: number | null | undefined;
  workflowId?: number | null | undefined;
  workflowInput?: unknown;
  prompt?: string | null | undefined;
  approvalTimeoutMinutes?: number | null | undefined;
}

/**
 * What is wrong with a schedule's target, naming the field: it runs exactly one of an agent and a
 * workflow; a prompt is for an agent, input for a workflow. Null when it is fine.
 */
export function scheduleTargetIssue(schedule: TargetFields): ErrorIssue | null {
  const agent = schedule.agentId != null;
  const workflow = schedule.workflowId != null;
  if (!agent && !workflow) return { path: 'agentId', message: 'Choose an agent or a workflow to run' };
  if (agent && workflow)
    return { path: 'workflowId', message: 'A schedule runs an agent or a workflow, not both' };
  if (agent && schedule.workflowInput != null)
    return { path: 'workflowInput', message: 'Only a workflow takes input; an agent takes a prompt' };
  if (workflow && schedule.prompt != null)
    return { path: 'prompt', message: 'A workflow’s steps have their own prompts; give it input instead' };
  if (workflow && schedule.approvalTimeoutMinutes != null)
    return {
      path: 'approvalTimeoutMinutes',
      message: 'A workflow’s steps set their own approval timeout; this is for an agent target',
    };
  return null;
}

function addTargetIssue(value: TargetFields, ctx: z.RefinementCtx): void {
  const issue = scheduleTargetIssue(value);
  if (issue) ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
}

/** Only the expression and a target are required; the rest default (SCHEDULE_DEFAULTS, the server's zone). */
const scheduleBodySchema = z.strictObject(scheduleFields).partial().required({ cronExpression: true });

export const createScheduleSchema = scheduleBodySchema.superRefine(addTargetIssue);
export type CreateScheduleInput = z.infer<typeof createScheduleSchema>;

/**
 * A PATCH names only what changes; switching the target names both (`{"workflowId": 4, "agentId": null}`).
 * Two targets at once are refused here; the schedule as it would become is checked by the service.
 */
export const updateScheduleSchema = patchOf(scheduleBodySchema).superRefine((value, ctx) => {
  if (value.agentId != null && value.workflowId != null) addTargetIssue(value, ctx);
});
export type UpdateScheduleInput = z.infer<typeof updateScheduleSchema>;

export const schedulePreviewQuerySchema = z.strictObject({
  cronExpression: scheduleFields.cronExpression,
  timezone: scheduleFields.timezone,
});
export type SchedulePreviewQuery = z.infer<typeof schedulePreviewQuerySchema>;

export const listSchedulesQuerySchema = z.strictObject({
  agentId: z.coerce.number().int().positive().optional(),
  workflowId: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  /** Keyset paging: schedules with an id below this one. */
  before: z.coerce.number().int().positive().optional(),
});
export type ListSchedulesQuery = z.infer<typeof listSchedulesQuerySchema>;

export const listFiringsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Keyset paging: firings with an id below this one (newest first). */
  before: z.coerce.number().int().positive().optional(),
});
export type ListFiringsQuery = z.infer<typeof listFiringsQuerySchema>;

/** One row of a schedule's history. Times are epoch ms. */
export const scheduleFiringSchema = z.object({
  id: z.number(),
  scheduleId: z.number(),
  /** The cron slot; null for a manual "run now", which belongs to no slot. */
  scheduledFor: z.number().nullable(),
  manual: z.boolean(),
  /** When it fired or was due to: the slot plus its jitter, or the moment of a manual run. */
  fireAt: z.number(),
  outcome: z.enum(FIRING_OUTCOMES),
  /** The run it started (an agent target). */
  executionId: z.number().nullable(),
  /** The workflow run it started (a workflow target). */
  workflowRunId: z.number().nullable(),
  /** What happened, in words. */
  reason: z.string(),
  /** Slots this row stands for: 1, or how many missed slots an overflow row folds together. */
  slotCount: z.number(),
  createdAt: z.number(),
});
export type ScheduleFiringDto = z.infer<typeof scheduleFiringSchema>;

export const scheduleSchema = z.object({
  id: z.number(),
  /** The target: an agent (with its name) or a workflow (with its name and input); the other is null. */
  agentId: z.number().nullable(),
  agentName: z.string().nullable(),
  workflowId: z.number().nullable(),
  workflowName: z.string().nullable(),
  workflowInput: workflowInputValuesSchema.nullable(),
  name: z.string(),
  cronExpression: z.string(),
  /** The expression said in words. */
  description: z.string(),
  timezone: z.string(),
  enabled: z.boolean(),
  prompt: z.string().nullable(),
  overlapPolicy: z.enum(OVERLAP_POLICIES),
  catchUp: z.enum(CATCH_UP_POLICIES),
  catchUpWindowSeconds: z.number(),
  jitterSeconds: z.number(),
  approvalTimeoutMinutes: z.number().nullable(),
  /** The next slots as ISO strings (UTC); empty while paused. Jitter may delay each by up to jitterSeconds. */
  nextRuns: z.array(z.string()),
  lastFiring: scheduleFiringSchema.nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type ScheduleDto = z.infer<typeof scheduleSchema>;

export const schedulePageSchema = z.object({
  items: z.array(scheduleSchema),
  nextBefore: z.number().nullable(),
});
export type SchedulePage = z.infer<typeof schedulePageSchema>;

export const firingPageSchema = z.object({
  items: z.array(scheduleFiringSchema),
  nextBefore: z.number().nullable(),
});
export type FiringPage = z.infer<typeof firingPageSchema>;

export const schedulePreviewResponseSchema = z.object({
  description: z.string(),
  timezone: z.string(),
  nextRuns: z.array(z.string()),
});
export type SchedulePreview = z.infer<typeof schedulePreviewResponseSchema>;

/** The answers of `POST`/`GET`/`PATCH /api/schedules[/id]` and `POST /api/schedules/[id]/run`. */
export const scheduleResponseSchema = z.object({ schedule: scheduleSchema });
export const firingResponseSchema = z.object({ firing: scheduleFiringSchema });

/** What a schedule form can target: the live agents, and the workflows with their input fields. */
export interface ScheduleTargetOptions {
  agents: { id: number; name: string }[];
  workflows: { id: number; name: string; inputs: WorkflowInputField[] }[];
}
