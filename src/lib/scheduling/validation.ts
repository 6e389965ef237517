import type { z } from 'zod';
import {
  createScheduleSchema,
  scheduleFields,
  schedulePreviewQuerySchema,
  updateScheduleSchema,
} from '../contracts/schedules';
import { cronExpressionIssue, timeZoneIssue } from './cron';

/**
 * The schedule contracts with the cron expression and time zone checked by the cron library.
 * The API parses with these and the form validates with the very same ones, so both show the same
 * message on the same field (`cronExpression`, `timezone`).
 */

interface Timing {
  cronExpression?: string;
  timezone?: string;
}

/** zod runs this even when a field failed its own checks: look only at values that passed them. */
function checkTiming(value: Timing, ctx: z.RefinementCtx): void {
  if (scheduleFields.cronExpression.safeParse(value.cronExpression).success) {
    const issue = cronExpressionIssue(value.cronExpression ?? '');
    if (issue) ctx.addIssue({ code: 'custom', path: ['cronExpression'], message: issue });
  }
  if (scheduleFields.timezone.safeParse(value.timezone).success) {
    const issue = timeZoneIssue(value.timezone ?? '');
    if (issue) ctx.addIssue({ code: 'custom', path: ['timezone'], message: issue });
  }
}

export const createScheduleBodySchema = createScheduleSchema.superRefine(checkTiming);
export const updateScheduleBodySchema = updateScheduleSchema.superRefine(checkTiming);
export const schedulePreviewSchema = schedulePreviewQuerySchema.superRefine(checkTiming);
