import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import type { RunResourceSummary } from '../../src/lib/contracts/runResources';
import { execute } from '../../src/lib/db/plan';
import { getExecutionResources, type RunResourceRecord } from '../../src/lib/db/queries/runResources';
import { RunResourceSampler } from '../../src/lib/metrics/runResourceSampler';
import { capturingLogger } from '../helpers/logCapture';
import { describeOnEachDialect, insertAgent, insertRun } from '../helpers/stores';

// The run resource sampler on both dialects: real processes, their /proc figures stored on the
// run each tick, and the summary the run page shows.

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A process group of its own, so the whole tree can be killed at the end. */
function start(command: string): ChildProcess {
  const child = spawn('sh', ['-c', command], { detached: true, stdio: 'ignore' });
  children.push(child);
  return child;
}

describeOnEachDialect('the run resource sampler', (store) => {
  it('stores a sample of a CPU-bound tree at every tick of its timer, and the run’s summary', async () => {
    const executionId = await insertRun(store(), await insertAgent(store()));
    const tree = start('yes > /dev/null & yes > /dev/null & wait');
    const ticks: (readonly RunResourceRecord[])[] = [];
    let summary: RunResourceSummary | undefined;
    let threeTicks: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      threeTicks = resolve;
    });
    const sampler = new RunResourceSampler({
      store: store(),
      logger: capturingLogger().logger,
      instance: '/tmp/claudeops-dialects/resources.db',
      intervalMs: 300,
      onRecorded: (records) => {
        ticks.push(records);
        if (ticks.length < 3) return;
        // As the engine does when the agent process exits: no tick of this run after it.
        summary = sampler.untrack(executionId);
        threeTicks();
      },
    });
    sampler.track(executionId, tree.pid ?? -1);
    await done;
    await sampler.stop();

    const stored = await execute(store(), getExecutionResources(store(), executionId));
    // One stored sample per tick, in order: the ticks never overlapped.
    expect(stored.samples).toEqual(ticks.map(([record]) => record?.sample));
    expect(stored.samples.map((sample) => sample.processCount)).toEqual([3, 3, 3]);
    expect(stored.samples.every((sample) => sample.rssBytes > 0 && sample.cpuPercent > 0)).toBe(true);
    expect(summary).toMatchObject({ peakProcessCount: 3 });
    expect(summary?.cpuSeconds).toBeGreaterThan(0);
    expect(stored.summary).toEqual(summary);
  });
});
