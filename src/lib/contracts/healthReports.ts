import { z } from 'zod';

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
