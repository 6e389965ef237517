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

  // Host metrics: how often this machine is sampled, and how long each tier of history is kept.
  /** Seconds between two host samples (CPU, memory, disks, network). */
  metricsIntervalSeconds: z
    .number()
    .int('Must be a whole number')
    .min(1, 'At least 1 second')
    .max(300, 'At most 5 minutes'),
  /** Raw samples are kept this many hours (the 1-hour chart reads them). */
  metricsRawRetentionHours: z
    .number()
    .int('Must be a whole number')
    .min(2, 'At least 2 hours')
    .max(720, 'At most 720 hours (30 days)'),
  /** 1-minute averages, minima and maxima are kept this many days (the 24-hour chart). */
  metricsMinuteRetentionDays: z
    .number()
    .int('Must be a whole number')
    .min(1, 'At least 1 day')
    .max(365, 'At most 365 days'),
  /** 1-hour averages, minima and maxima are kept this many days (the 30-day and 1-year charts). */
  metricsHourRetentionDays: z
    .number()
    .int('Must be a whole number')
    .min(7, 'At least 7 days')
    .max(3_650, 'At most 3,650 days (10 years)'),
});
export type AppSettingsDto = z.infer<typeof settingsSchema>;

export const SETTINGS_DEFAULTS: AppSettingsDto = {
  maxConcurrentRuns: 2,
  monthlyBudgetUsd: null,
  circuitBreakerThreshold: 5,
  circuitBreakerCooldownSeconds: 60,
  metricsIntervalSeconds: 5,
  metricsRawRetentionHours: 48,
  metricsMinuteRetentionDays: 30,
  metricsHourRetentionDays: 365,
};

export const updateSettingsSchema = settingsSchema
  .partial()
  .refine((value) => Object.keys(value).length > 0, 'At least one setting to change');
