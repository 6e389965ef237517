import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecutionStatus } from '../../src/lib/contracts/executions';
import type { HostSample } from '../../src/lib/contracts/metrics';
import type { DbHandle } from '../../src/lib/db';
import { onSqlite, runOnSqlite } from '../../src/lib/db/plan';
import { createAgent } from '../../src/lib/db/queries/agents';
import { getPrometheusTotals } from '../../src/lib/db/queries/metrics';
import { sqliteStore } from '../../src/lib/db/store';
import { HostCollector } from '../../src/lib/metrics/hostCollector';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from '../../src/lib/metrics/prometheus';
import { recordRun, type Spend } from '../helpers/costs';
import { fixtureSource } from '../helpers/procFixtures';
import { parseExposition, sampleValue } from '../helpers/prometheusText';
import { createTestDb } from '../helpers/testDb';

let handle: DbHandle;
let agentId: number;

beforeEach(() => {
  handle = createTestDb();
  agentId = runOnSqlite(
    createAgent(sqliteStore(handle.db), { name: 'writer', model: 'claude-sonnet-4-5', defaultPrompt: 'p' }),
  ).id;
});
afterEach(() => handle.sqlite.close());

function run(status: ExecutionStatus, spends: Spend[] = []): void {
  recordRun(handle.db, { agentId, createdAt: Date.UTC(2026, 10, 20), status }, spends);
}

/** A sample of the `mixed` capture, with a mount point and device made to need escaping. */
async function awkwardHostSample(): Promise<HostSample> {
  const sample = await new HostCollector({ source: fixtureSource('mixed').source }).sample(1_796_000_000_000);
  const [first, ...others] = sample.filesystems;
  if (!first) throw new Error('no file system in the capture');
  return {
    ...sample,
    filesystems: [{ ...first, mountPoint: '/mnt/we"ird\\dir\nline', device: 'C:\\disk' }, ...others],
  };
}

describe('renderPrometheus', () => {
  it('writes text every line of which parses, with a TYPE for every metric and escaped labels', async () => {
    run('completed', [
      { model: 'claude-sonnet-4-5', inputTokens: 1_000, outputTokens: 200, costMicros: 1_500_000 },
    ]);
    run('completed', [
      { model: 'claude-sonnet-4-5', inputTokens: 500, cacheReadTokens: 4_000, costMicros: 250_000 },
      { model: 'claude-"haiku"\\4-5', outputTokens: 70, cacheCreation1hTokens: 30, costMicros: 10_000 },
    ]);
    run('failed');
    run('running');
    run('queued');

    const text = await renderPrometheus({
      host: await awkwardHostSample(),
      totals: onSqlite(handle.db, getPrometheusTotals),
      activeRuns: 1,
      queuedRuns: 1,
      circuitState: 'half_open',
    });
    const { types, helps, samples } = parseExposition(text);

    expect(PROMETHEUS_CONTENT_TYPE).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of types.keys()) expect(helps.has(name)).toBe(true);
    // Finished runs only: a counter must never go down, and a running run's status will change.
    expect(samples.filter((s) => s.name === 'claudeops_runs_total')).toEqual([
      { name: 'claudeops_runs_total', labels: { status: 'completed' }, value: 2 },
      { name: 'claudeops_runs_total', labels: { status: 'failed' }, value: 1 },
    ]);
    expect(types.get('claudeops_runs_total')).toBe('counter');
    expect(
      sampleValue(samples, 'claudeops_tokens_total', { model: 'claude-sonnet-4-5', kind: 'input' }),
    ).toBe(1_500);
    expect(
      sampleValue(samples, 'claudeops_tokens_total', { model: 'claude-sonnet-4-5', kind: 'cache_read' }),
    ).toBe(4_000);
    expect(
      sampleValue(samples, 'claudeops_tokens_total', {
        model: 'claude-"haiku"\\4-5',
        kind: 'cache_creation',
      }),
    ).toBe(30);
    expect(sampleValue(samples, 'claudeops_cost_usd_total', { model: 'claude-sonnet-4-5' })).toBe(1.75);
    expect(sampleValue(samples, 'claudeops_runs_active')).toBe(1);
    expect(sampleValue(samples, 'claudeops_runs_queued')).toBe(1);
    expect(sampleValue(samples, 'claudeops_circuit_breaker_state', { state: 'half_open' })).toBe(1);
    expect(sampleValue(samples, 'claudeops_circuit_breaker_state', { state: 'open' })).toBe(0);

    // Host figures of the capture: 4 cores, 8 GB, the awkward mount point back as it was.
    expect(sampleValue(samples, 'claudeops_host_cpu_cores')).toBe(4);
    expect(sampleValue(samples, 'claudeops_host_cpu_busy_ratio', { cpu: 'all' })).toBeGreaterThan(0);
    expect(sampleValue(samples, 'claudeops_host_cpu_busy_ratio', { cpu: '3' })).toBeGreaterThan(0);
    expect(sampleValue(samples, 'claudeops_host_memory_total_bytes')).toBe(8_000_000 * 1024);
    expect(sampleValue(samples, 'claudeops_host_load1')).toBe(3.5);
    const awkward = { mountpoint: '/mnt/we"ird\\dir\nline', device: 'C:\\disk', fstype: 'ext4' };
    expect(sampleValue(samples, 'claudeops_host_filesystem_size_bytes', awkward)).toBe(25_000_000 * 4096);
    expect(sampleValue(samples, 'claudeops_host_network_receive_bytes_total', { interface: 'eth0' })).toBe(
      1_234_567_890,
    );
    expect(types.get('claudeops_host_disk_read_bytes_total')).toBe('counter');
    expect(sampleValue(samples, 'claudeops_host_disk_read_bytes_total', { device: 'sda' })).toBe(
      200_000 * 512,
    );
    // This kernel had no pressure information: no metric rather than zeros.
    expect(types.has('claudeops_host_pressure_ratio')).toBe(false);
  });

  it('leaves host metrics out before the first sample, and counters only grow between scrapes', async () => {
    const scrape = async () =>
      parseExposition(
        await renderPrometheus({
          host: undefined,
          totals: onSqlite(handle.db, getPrometheusTotals),
          activeRuns: 0,
          queuedRuns: 0,
          circuitState: 'closed',
        }),
      );
    run('completed', [{ model: 'claude-sonnet-4-5', outputTokens: 10, costMicros: 100 }]);
    const first = await scrape();
    expect(first.samples.some((s) => s.name.startsWith('claudeops_host_'))).toBe(false);

    run('cancelled', [{ model: 'claude-sonnet-4-5', outputTokens: 5, costMicros: 50 }]);
    run('completed');
    const second = await scrape();
    const counters = first.samples.filter((s) => first.types.get(s.name) === 'counter');
    expect(counters.length).toBeGreaterThan(0);
    for (const counter of counters)
      expect(sampleValue(second.samples, counter.name, counter.labels)).toBeGreaterThanOrEqual(counter.value);
    expect(sampleValue(second.samples, 'claudeops_runs_total', { status: 'completed' })).toBe(2);
    expect(sampleValue(second.samples, 'claudeops_runs_total', { status: 'cancelled' })).toBe(1);
  });
});
