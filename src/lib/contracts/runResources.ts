import { z } from 'zod';

// A run's own resources (its Claude Code process tree), kept on the execution: shapes shared by the
// server, `GET /api/executions/[id]` and the execution page's chart.

/** What a run's process tree used, kept on the execution. */
export const runResourceSummarySchema = z.object({
  /** CPU time of the whole tree (user + system, exited children included). */
  cpuSeconds: z.number(),
  /** Highest RSS summed over the tree's processes (shared pages count once per process). */
  peakRssBytes: z.number(),
  peakProcessCount: z.number(),
});
export type RunResourceSummary = z.infer<typeof runResourceSummarySchema>;

export const runResourceSampleSchema = z.object({
  t: z.number(),
  /** 100 = one core busy for the whole interval. */
  cpuPercent: z.number(),
  rssBytes: z.number(),
  processCount: z.number(),
});
export type RunResourceSample = z.infer<typeof runResourceSampleSchema>;

/** `resources` in `GET /api/executions/[id]`; summary null for a run never sampled. */
export const executionResourcesSchema = z.object({
  summary: runResourceSummarySchema.nullable(),
  samples: z.array(runResourceSampleSchema),
});
export type ExecutionResourcesDto = z.infer<typeof executionResourcesSchema>;
