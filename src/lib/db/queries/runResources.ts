import { eq } from 'drizzle-orm';
import { MAX_CHART_POINTS } from '../../contracts/metrics';
import type {
  ExecutionResourcesDto,
  RunResourceSample,
  RunResourceSummary,
} from '../../contracts/runResources';
import type { Db } from '../index';
import { executionResourceSamples, executions } from '../schema';

export interface RunResourceRecord {
  executionId: number;
  sample: RunResourceSample;
  /** The run's figures so far, written beside the sample so a crash loses at most one tick. */
  summary: RunResourceSummary;
}

/** One sampler tick: every tracked run's sample and summary, in one transaction. */
export function recordRunResources(db: Db, records: readonly RunResourceRecord[]): void {
  if (records.length === 0) return;
  db.transaction((tx) => {
    for (const { executionId, sample, summary } of records) {
      tx.insert(executionResourceSamples)
        .values({ executionId, ...sample })
        .onConflictDoNothing()
        .run();
      tx.update(executions).set(summary).where(eq(executions.id, executionId)).run();
    }
  });
}

/**
 * A run's resources for its page: the summary and the samples, at most `maxPoints` of them. A
 * longer run's samples are merged in runs of consecutive ones: CPU averaged, memory and process
 * count at their peak, so no spike disappears from the chart.
 */
export function getExecutionResources(
  db: Db,
  executionId: number,
  maxPoints = MAX_CHART_POINTS,
): ExecutionResourcesDto {
  const summary = db
    .select({
      cpuSeconds: executions.cpuSeconds,
      peakRssBytes: executions.peakRssBytes,
      peakProcessCount: executions.peakProcessCount,
    })
    .from(executions)
    .where(eq(executions.id, executionId))
    .get();
  const samples = db
    .select({
      t: executionResourceSamples.t,
      cpuPercent: executionResourceSamples.cpuPercent,
      rssBytes: executionResourceSamples.rssBytes,
      processCount: executionResourceSamples.processCount,
    })
    .from(executionResourceSamples)
    .where(eq(executionResourceSamples.executionId, executionId))
    .orderBy(executionResourceSamples.t)
    .all();
  const sampled =
    summary &&
    summary.cpuSeconds !== null &&
    summary.peakRssBytes !== null &&
    summary.peakProcessCount !== null
      ? {
          cpuSeconds: summary.cpuSeconds,
          peakRssBytes: summary.peakRssBytes,
          peakProcessCount: summary.peakProcessCount,
        }
      : null;
  return { summary: sampled, samples: mergeSamples(samples, maxPoints) };
}

function mergeSamples(samples: RunResourceSample[], maxPoints: number): RunResourceSample[] {
  if (samples.length <= maxPoints) return samples;
  const per = Math.ceil(samples.length / maxPoints);
  const merged: RunResourceSample[] = [];
  for (let start = 0; start < samples.length; start += per) {
    const group = samples.slice(start, start + per);
    const first = group[0];
    if (!first) continue;
    merged.push({
      t: first.t,
      cpuPercent: group.reduce((sum, s) => sum + s.cpuPercent, 0) / group.length,
      rssBytes: Math.max(...group.map((s) => s.rssBytes)),
      processCount: Math.max(...group.map((s) => s.processCount)),
    });
  }
  return merged;
}
