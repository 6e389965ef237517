import { eq } from 'drizzle-orm';
import { MAX_CHART_POINTS } from '../../contracts/metrics';
import type {
  ExecutionResourcesDto,
  RunResourceSample,
  RunResourceSummary,
} from '../../contracts/runResources';
import { changesOf, firstOf, type Plan, rowsOf } from '../plan';
import type { Store } from '../store';

// Dialect-neutral plans (see plan.ts): run on SQLite and on Postgres, inside a transaction or not.

export interface RunResourceRecord {
  executionId: number;
  sample: RunResourceSample;
  /** The run's figures so far, written beside the sample so a crash loses at most one tick. */
  summary: RunResourceSummary;
}

/** One sampler tick: every tracked run's sample and summary. Run it in one transaction. */
export function* recordRunResources({ db, t }: Store, records: readonly RunResourceRecord[]): Plan<void> {
  for (const { executionId, sample, summary } of records) {
    yield* changesOf(
      db
        .insert(t.executionResourceSamples)
        .values({ executionId, ...sample })
        .onConflictDoNothing(),
    );
    yield* changesOf(db.update(t.executions).set(summary).where(eq(t.executions.id, executionId)));
  }
}

/**
 * A run's resources for its page: the summary and the samples, at most `maxPoints` of them. A
 * longer run's samples are merged in runs of consecutive ones: CPU averaged, memory and process
 * count at their peak, so no spike disappears from the chart.
 */
export function* getExecutionResources(
  { db, t }: Store,
  executionId: number,
  maxPoints = MAX_CHART_POINTS,
): Plan<ExecutionResourcesDto> {
  const { executions, executionResourceSamples: samplesTable } = t;
  const summary = yield* firstOf(
    db
      .select({
        cpuSeconds: executions.cpuSeconds,
        peakRssBytes: executions.peakRssBytes,
        peakProcessCount: executions.peakProcessCount,
      })
      .from(executions)
      .where(eq(executions.id, executionId)),
  );
  const samples = yield* rowsOf(
    db
      .select({
        t: samplesTable.t,
        cpuPercent: samplesTable.cpuPercent,
        rssBytes: samplesTable.rssBytes,
        processCount: samplesTable.processCount,
      })
      .from(samplesTable)
      .where(eq(samplesTable.executionId, executionId))
      .orderBy(samplesTable.t),
  );
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
