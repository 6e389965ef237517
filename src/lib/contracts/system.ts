import { z } from 'zod';
import { databaseUsageSchema, storageStatusSchema } from './storage';

export const CIRCUIT_STATES = ['closed', 'open', 'half_open'] as const;
export type CircuitState = (typeof CIRCUIT_STATES)[number];

/** The circuit breaker that stops starting runs while the API keeps failing transiently. */
export const circuitBreakerSchema = z.object({
  state: z.enum(CIRCUIT_STATES),
  consecutiveFailures: z.number(),
  threshold: z.number(),
  cooldownSeconds: z.number(),
  /** When it last opened; null while it never has. */
  openedAt: z.number().nullable(),
  /** When an open circuit lets a trial run through; null unless open. */
  halfOpensAt: z.number().nullable(),
  /** The failure class that last counted against it. */
  lastFailure: z.string().nullable(),
});
export type CircuitBreakerDto = z.infer<typeof circuitBreakerSchema>;

/** `GET /api/system`: the agent runtime's health and the data directory's storage. */
export const systemResponseSchema = z.object({
  circuitBreaker: circuitBreakerSchema,
  activeExecutions: z.number(),
  storage: storageStatusSchema,
  database: databaseUsageSchema,
});
