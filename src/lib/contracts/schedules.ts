import { z } from 'zod';
import { patchOf } from './patch';

/**
 * Schedules as the API and the pages see them. These schemas check shape only: contracts import
 * nothing but zod, so the cron expression and time zone are checked by `scheduling/validation.ts`,
 * which wraps these with the same cron library on both sides.
 */

/** What a slot does while a run this schedule started is still queued or running. */
export const OVERLAP_POLICIES = ['skip', 'buffer_one', 'allow'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** What happens to slots missed while the server was down. */
export const CATCH_UP_POLICIES = ['skip', 'latest'] as const;
export type CatchUpPolicy = (typeof CATCH_UP_POLICIES)[number];

/** Outcomes that started no run: the dashboard lists schedules whose last firing ended so. */
export const UNRUN_OUTCOMES = ['skipped_overlap', 'refused_budget', 'refused_breaker', 'missed'] as const;

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
};

/** How many upcoming times a schedule and a preview carry. */
export const NEXT_RUNS_COUNT = 5;

export const scheduleFields = {
  agentId: z.number().int().positive(),
  name: z.string().trim().max(100, 'At most 100 characters'),
  cronExpression: z
    .string()
    .trim()
    .min(1, 'A cron expression is required')
    .max(200, 'At most 200 characters'),
  /** An IANA zone; when omitted on create, the server's own zone is stored. */
  timezone: z.string().trim().min(1, 'A time zone is required').max(64, 'At most 64 characters'),
  enabled: z.boolean(),
  /** Overrides the agent's default prompt; null to use it. */
  prompt: z
    .string()
    .trim()
    .min(1, 'Must not be empty (null to use the agent’s prompt)')
    .max(50_000)
    .nullable(),
  overlapPolicy: z.enum(OVERLAP_POLICIES),
  catchUp: z.enum(CATCH_UP_POLICIES),
  catchUpWindowSeconds: z
    .number()
    .int('Must be a whole number')
    .min(60, 'At least 60 seconds')
    .max(604_800, 'At most 7 days'),
  jitterSeconds: z.number().int('Must be a whole number').min(0, 'At least 0').max(3_600, 'At most 1 hour'),
};

/** Only the agent and the expression are required; the rest default (SCHEDULE_DEFAULTS, the server's zone). */
export const createScheduleSchema = z
  .strictObject(scheduleFields)
  .partial()
  .required({ agentId: true, cronExpression: true });
export type CreateScheduleInput = z.infer<typeof createScheduleSchema>;

export const updateScheduleSchema = patchOf(createScheduleSchema);
export type UpdateScheduleInput = z.infer<typeof updateScheduleSchema>;

export const schedulePreviewQuerySchema = z.strictObject({
  cronExpression: scheduleFields.cronExpression,
  timezone: scheduleFields.timezone,
});
export type SchedulePreviewQuery = z.infer<typeof schedulePreviewQuerySchema>;

export const listSchedulesQuerySchema = z.strictObject({
  agentId: z.coerce.number().int().positive().optional(),
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
  executionId: z.number().nullable(),
  /** What happened, in words. */
  reason: z.string(),
  /** Slots this row stands for: 1, or how many missed slots an overflow row folds together. */
  slotCount: z.number(),
  createdAt: z.number(),
});
export type ScheduleFiringDto = z.infer<typeof scheduleFiringSchema>;

export const scheduleSchema = z.object({
  id: z.number(),
  agentId: z.number(),
  agentName: z.string(),
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
  /** The next slots as ISO strings (UTC); empty while paused. Jitter may delay each by up to jitterSeconds. */
  nextRuns: z.array(z.string()),
  lastFiring: scheduleFiringSchema.nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type ScheduleDto = z.infer<typeof scheduleSchema>;

export interface SchedulePage {
  items: ScheduleDto[];
  nextBefore: number | null;
}

export interface FiringPage {
  items: ScheduleFiringDto[];
  nextBefore: number | null;
}

export interface SchedulePreview {
  description: string;
  timezone: string;
  nextRuns: string[];
}

export const scheduleResponseSchema = z.object({ schedule: scheduleSchema });
