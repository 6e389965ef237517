import type { z } from 'zod';
import {
  createScheduleSchema,
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

function checkTiming(value: Timing, ctx: z.RefinementCtx): void {
  const expressionIssue =
    value.cronExpression === undefined ? null : cronExpressionIssue(value.cronExpression);
  if (expressionIssue) ctx.addIssue({ code: 'custom', path: ['cronExpression'], message: expressionIssue });
  const zoneIssue = value.timezone === undefined ? null : timeZoneIssue(value.timezone);
  if (zoneIssue) ctx.addIssue({ code: 'custom', path: ['timezone'], message: zoneIssue });
}

export const createScheduleBodySchema = createScheduleSchema.superRefine(checkTiming);
export const updateScheduleBodySchema = updateScheduleSchema.superRefine(checkTiming);
export const schedulePreviewSchema = schedulePreviewQuerySchema.superRefine(checkTiming);
