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
  circuitBreakerThreshold: z
    .number()
    .int('Must be a whole number')
    .min(1, 'At least 1')
    .max(100, 'At most 100'),
  /** How long an open circuit refuses to start runs before it lets one trial run through. */
  circuitBreakerCooldownSeconds: z
    .number()
    .int('Must be a whole number')
    .min(1, 'At least 1 second')
    .max(86_400, 'At most 24 hours'),

  // Notifications: no storm.
  /** A condition that still holds is announced again only after this long. */
  notificationQuietPeriodMinutes: z
    .number()
    .int('Must be a whole number')
    .min(1, 'At least 1 minute')
    .max(10_080, 'At most 7 days'),
  /** Messages a channel sends at most per window; the excess goes out as one summary when the window reopens. */
  notificationRateLimitCount: z.number().int('Must be a whole number').min(1, 'At least 1').max(1_000),
  notificationRateLimitWindowMinutes: z
    .number()
    .int('Must be a whole number')
    .min(1, 'At least 1 minute')
    .max(1_440, 'At most 24 hours'),

  // Host conditions (host.disk, host.memory, host.load).
  /** A mount fuller than this (percent used) raises host.disk. */
  hostDiskUsedPercent: z.number().min(1, 'At least 1').max(100, 'At most 100'),
  /** Less available memory than this (percent of total) raises host.memory. */
  hostMemoryAvailablePercent: z.number().min(1, 'At least 1').max(99, 'At most 99'),
  /** A 1-minute load above this many times the cores raises host.load, once it has held for the sustain time. */
  hostLoadPerCore: z.number().min(0.1, 'At least 0.1').max(100, 'At most 100'),
  hostLoadSustainMinutes: z.number().int('Must be a whole number').min(0).max(1_440, 'At most 24 hours'),
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

  // Storage: the data directory never fills from ClaudeOps' own output.
  /** New runs are refused while the data directory's file system has less free than this (MiB)… */
  diskFloorMb: z
    .number()
    .int('Must be a whole number')
    .min(0, 'At least 0')
    .max(1_073_741_824, 'At most 1 PiB'),
  /** …or than this share of its size, whichever is smaller (0 in either turns the floor off). */
  diskFloorPercent: z.number().min(0, 'At least 0').max(100, 'At most 100'),
  /** Log text one run may store (MiB); past it lines are counted, not stored, behind a marker line. */
  runLogCapMb: z.number().int('Must be a whole number').min(1, 'At least 1').max(10_240, 'At most 10 GiB'),
  /**
   * A run's log lines and steps are kept this many days after it ends, then dropped (the run, its
   * cost and its result stay); null keeps them forever.
   */
  runOutputRetentionDays: z
    .number()
    .int('Must be a whole number')
    .min(1, 'At least 1 day')
    .max(3_650, 'At most 3,650 days (10 years)')
    .nullable(),
});
export type AppSettingsDto = z.infer<typeof settingsSchema>;

export const SETTINGS_DEFAULTS: AppSettingsDto = {
  maxConcurrentRuns: 2,
  monthlyBudgetUsd: null,
  circuitBreakerThreshold: 5,
  circuitBreakerCooldownSeconds: 60,
  notificationQuietPeriodMinutes: 360,
  notificationRateLimitCount: 10,
  notificationRateLimitWindowMinutes: 10,
  hostDiskUsedPercent: 90,
  hostMemoryAvailablePercent: 10,
  hostLoadPerCore: 2,
  hostLoadSustainMinutes: 10,
  metricsIntervalSeconds: 5,
  metricsRawRetentionHours: 48,
  metricsMinuteRetentionDays: 30,
  metricsHourRetentionDays: 365,
  diskFloorMb: 1_024,
  diskFloorPercent: 5,
  runLogCapMb: 50,
  runOutputRetentionDays: 30,
};

export const SETTING_FIELDS = Object.keys(settingsSchema.shape) as (keyof AppSettingsDto)[];

export const updateSettingsSchema = settingsSchema
  .partial()
  .refine((value) => Object.keys(value).length > 0, 'At least one setting to change');

/** A stored setting that could not be used (out of range, wrong type, unreadable), and what is used instead. */
export const settingFallbackSchema = z.object({
  field: z.enum(SETTING_FIELDS as [keyof AppSettingsDto, ...(keyof AppSettingsDto)[]]),
  /** What is stored, as it is stored (JSON text, or whatever was written instead). */
  stored: z.string(),
  /** The default, used in its place until the setting is saved again. */
  used: z.number().nullable(),
  /** Why the stored value is not used. */
  problem: z.string(),
});
export type SettingFallback = z.infer<typeof settingFallbackSchema>;

export const settingsResponseSchema = z.object({
  settings: settingsSchema,
  /** Stored values that break their rule: each falls back to its default alone. */
  fallbacks: z.array(settingFallbackSchema),
});
export type SettingsResponse = z.infer<typeof settingsResponseSchema>;
