import { z } from 'zod';

/** Application-wide settings, kept in app_settings. */
export const settingsSchema = z.strictObject({
  /** Agent processes under way at once, across all agents; more runs wait queued (FIFO). */
  maxConcurrentRuns: z.number().int('Must be a whole number').min(1, 'At least 1').max(50, 'At most 50'),
  /** Spending limit for each UTC calendar month across all agents, in USD; null for none. */
  monthlyBudgetUsd: z
    .number()
    .positive('Must be more than 0, or null for no budget')
    .max(1_000_000, 'At most 1,000,000')
    .nullable(),
  /** Consecutive transient failures (rate limit, overload, server error, network) that open the circuit. */
  circuitBreakerThreshold: z.number().int('Must be a whole number').min(1, 'At least 1').max(100),
  /** How long an open circuit refuses to start runs before it lets one trial run through. */
  circuitBreakerCooldownSeconds: z
    .number()
    .int('Must be a whole number')
    .min(1, 'At least 1 second')
    .max(86_400, 'At most 24 hours'),
});
export type AppSettingsDto = z.infer<typeof settingsSchema>;

export const SETTINGS_DEFAULTS: AppSettingsDto = {
  maxConcurrentRuns: 2,
  monthlyBudgetUsd: null,
  circuitBreakerThreshold: 5,
  circuitBreakerCooldownSeconds: 60,
};

export const updateSettingsSchema = settingsSchema
  .partial()
  .refine((value) => Object.keys(value).length > 0, 'At least one setting to change');

export const settingsResponseSchema = z.object({ settings: settingsSchema });
