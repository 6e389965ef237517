import { expect, it } from 'vitest';
import type { RunResourceSample } from '../../src/lib/contracts/runResources';
import { execute, transaction } from '../../src/lib/db/plan';
import { getExecutionResources, recordRunResources } from '../../src/lib/db/queries/runResources';
import { describeOnEachDialect, insertAgent, insertRun } from '../helpers/stores';

// What a run's process tree used: written by the sampler each tick, read by the run's page, on both dialects.

const NOW = 1_800_000_000_000;

describeOnEachDialect('execution resources', (store) => {
  it('returns at most a chart’s worth of points, averaging CPU and keeping memory and process peaks', async () => {
    const agentId = await insertAgent(store());
    const executionId = await insertRun(store(), agentId, { startedAt: NOW });
    const samples: RunResourceSample[] = Array.from({ length: 3_100 }, (_, i) => ({
      t: NOW + i * 2_000,
      cpuPercent: i % 3 === 0 ? 90 : 30,
      rssBytes: i === 1_001 ? 900_000_000 : 200_000_000,
      processCount: i === 2_999 ? 12 : 3,
    }));
    const summary = { cpuSeconds: 1_234.5, peakRssBytes: 900_000_000, peakProcessCount: 12 };
    await transaction(store(), (tx) =>
      recordRunResources(
        tx,
        samples.map((sample) => ({ executionId, sample, summary })),
      ),
    );

    const resources = await execute(store(), getExecutionResources(store(), executionId, 1_500));
    expect(resources.summary).toEqual(summary);
    // 3,100 samples in runs of 3.
    expect(resources.samples).toHaveLength(1_034);
    expect(resources.samples[0]).toEqual({ t: NOW, cpuPercent: 50, rssBytes: 200_000_000, processCount: 3 });
    expect(resources.samples[333]?.rssBytes).toBe(900_000_000);
    expect(resources.samples[999]?.processCount).toBe(12);
    expect((await execute(store(), getExecutionResources(store(), executionId))).samples).toHaveLength(1_034);
    expect((await execute(store(), getExecutionResources(store(), executionId, 5_000))).samples).toEqual(
      samples,
    );
  });
});

describeOnEachDialect('a sampler tick', (store) => {
  it('writes each run’s sample and summary, a repeated sample once, and a run with none reads as none', async () => {
    const agentId = await insertAgent(store());
    const sampled = await insertRun(store(), agentId, { startedAt: NOW });
    const quiet = await insertRun(store(), agentId, { startedAt: NOW });
    const sample = { t: NOW + 2_000, cpuPercent: 180, rssBytes: 50_000_000, processCount: 2 };
    const summary = { cpuSeconds: 3.6, peakRssBytes: 50_000_000, peakProcessCount: 2 };
    const tick = () =>
      transaction(store(), (tx) => recordRunResources(tx, [{ executionId: sampled, sample, summary }]));
    await tick();
    await tick();
    expect(await execute(store(), getExecutionResources(store(), sampled))).toEqual({
      summary,
      samples: [sample],
    });
    expect(await execute(store(), getExecutionResources(store(), quiet))).toEqual({
      summary: null,
      samples: [],
    });
  });
});
