import { z } from 'zod';
import type { ExecutionLive } from './executions';

/**
 * The System Health Reporter's answer: the contract other tools and the notifications rely on.
 * One zod schema: converted to JSON Schema for the SDK's `outputFormat`, and used again to parse
 * what is stored.
 */

export const HEALTH_STATUSES = ['ok', 'warning', 'critical'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export const FINDING_SEVERITIES = ['info', 'warning', 'critical'] as const;

export const healthFindingSchema = z.object({
  /** What part of the machine: 'cpu', 'memory', 'disk /', 'network', 'processes', 'claudeops'… */
  area: z.string().min(1).max(100),
  severity: z.enum(FINDING_SEVERITIES),
  message: z.string().min(1).max(2_000),
  /** The figures or command output it rests on. */
  evidence: z.string().max(4_000).optional(),
});
export type HealthFinding = z.infer<typeof healthFindingSchema>;

export const healthReportSchema = z.object({
  status: z.enum(HEALTH_STATUSES),
  summary: z.string().min(1).max(2_000),
  findings: z.array(healthFindingSchema).max(50),
  recommendations: z.array(z.string().min(1).max(1_000)).max(20),
  /** Headline figures, for charts and comparisons between reports (all optional). */
  figures: z
    .object({
      cpuBusyPercent: z.number().min(0).max(100).optional(),
      load1: z.number().min(0).optional(),
      memoryAvailablePercent: z.number().min(0).max(100).optional(),
      fullestDiskPercent: z.number().min(0).max(100).optional(),
      daysUntilDiskFull: z.number().min(0).nullable().optional(),
    })
    .optional(),
});
export type HealthReport = z.infer<typeof healthReportSchema>;

/** A stored report's status: the report's own, or `invalid` for a run that ended without a valid one. */
export const HEALTH_REPORT_STATUSES = [...HEALTH_STATUSES, 'invalid'] as const;
export type HealthReportStatus = (typeof HEALTH_REPORT_STATUSES)[number];

/** A report as the API and pages show it. */
export const healthReportDtoSchema = z.object({
  id: z.number(),
  executionId: z.number(),
  agentId: z.number(),
  status: z.enum(HEALTH_REPORT_STATUSES),
  /** Null when `invalid`. */
  report: healthReportSchema.nullable(),
  /** When `invalid`: what the run answered instead, or why it ended. */
  rawAnswer: z.string().nullable(),
  createdAt: z.number(),
});
export type HealthReportDto = z.infer<typeof healthReportDtoSchema>;

export const listHealthReportsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  /** Keyset paging: reports with an id below this one. */
  before: z.coerce.number().int().positive().optional(),
});
export type ListHealthReportsQuery = z.infer<typeof listHealthReportsQuerySchema>;

export const healthReportPageSchema = z.object({
  items: z.array(healthReportDtoSchema),
  nextBefore: z.number().nullable(),
});
export type HealthReportPage = z.infer<typeof healthReportPageSchema>;

/** What a finished run of the reporter leaves: its report, or what it answered instead. */
export type HealthOutcome = { report: HealthReport; rawAnswer: null } | { report: null; rawAnswer: string };

/**
 * A run's report, parsed again with the contract whatever the SDK accepted: a run that ended
 * without one (the model gave up, the object breaks the schema, the run failed) keeps what it
 * answered instead, so nothing is dropped and nothing counts as ok. Shared by the server (which
 * stores it) and the dashboard (which shows a run that just ended).
 */
export function healthOutcomeOf(
  execution: Pick<ExecutionLive, 'status' | 'structuredOutput' | 'resultText' | 'errorMessage'>,
): HealthOutcome {
  const parsed = healthReportSchema.safeParse(execution.structuredOutput);
  if (execution.status === 'completed' && parsed.success) return { report: parsed.data, rawAnswer: null };
  const answered = execution.structuredOutput ?? null;
  const raw =
    answered !== null
      ? JSON.stringify(answered, null, 2)
      : (execution.resultText ??
        `The run ended ${execution.status}: ${execution.errorMessage ?? 'no answer'}`);
  return { report: null, rawAnswer: raw };
}

export const latestHealthReportResponseSchema = z.object({ report: healthReportDtoSchema.nullable() });
