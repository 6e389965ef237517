import { z } from 'zod';

/** Application-wide settings, kept in app_settings. */
export const settingsSchema = z.strictObject({
  /** Agent processes under way at once, across all agents; more runs wait queued (FIFO). */
  maxConcurrentRuns: z.number().int('Must be a whole number').min(1, 'At least 1').max(50, 'At most 50'),
});
export type AppSettingsDto = z.infer<typeof settingsSchema>;

export const SETTINGS_DEFAULTS: AppSettingsDto = { maxConcurrentRuns: 2 };

export const updateSettingsSchema = settingsSchema
  .partial()
  .refine((value) => Object.keys(value).length > 0, 'At least one setting to change');
