import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecutionStatus } from '../../src/lib/contracts/executions';
import type { HostSample } from '../../src/lib/contracts/metrics';
import type { DbHandle } from '../../src/lib/db';
import { createAgent } from '../../src/lib/db/queries/agents';
import { getPrometheusTotals } from '../../src/lib/db/queries/metrics';
import { HostCollector } from '../../src/lib/metrics/hostCollector';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from '../../src/lib/metrics/prometheus';
import { recordRun, type Spend } from '../helpers/costs';
import { fixtureSource } from '../helpers/procFixtures';
import { createTestDb } from '../helpers/testDb';

interface ExpositionSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const VALUE = /^(NaN|[+-]Inf|[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** Reads a label set `{a="x",b="y\"z"}` from the start of `text`; returns it and what follows. */
function parseLabels(text: string, line: string): [Record<string, string>, string] {
  const labels: Record<string, string> = {};
  let rest = text.slice(1);
  while (!rest.startsWith('}')) {
    const name = LABEL_NAME.exec(rest)?.[0];
    if (!name || rest[name.length] !== '=' || rest[name.length + 1] !== '"')
      throw new Error(`bad label in: ${line}`);
    rest = rest.slice(name.length + 2);
    let value = '';
    for (;;) {
      const char = rest[0];
      if (char === undefined) throw new Error(`unterminated label value in: ${line}`);
      rest = rest.slice(1);
      if (char === '"') break;
      if (char === '\n') throw new Error(`raw newline in a label value: ${line}`);
      if (char !== '\\') {
        value += char;
        continue;
      }
      const escaped = rest[0];
      rest = rest.slice(1);
      if (escaped === '\\') value += '\\';
      else if (escaped === '"') value += '"';
      else if (escaped === 'n') value += '\n';
      else throw new Error(`bad escape \\${escaped} in: ${line}`);
    }
    if (name in labels) throw new Error(`label ${name} twice in: ${line}`);
    labels[name] = value;
    if (rest.startsWith(',')) rest = rest.slice(1);
    else if (!rest.startsWith('}')) throw new Error(`expected , or } in: ${line}`);
  }
  return [labels, rest.slice(1)];
}

/**
 * The text exposition format 0.0.4, strictly: HELP and TYPE lines at most once per metric and
 * before its samples, `name{labels} value [timestamp]` samples, label values escaped
 * (\\, \", \n only), a newline at the end, empty lines ignored. Every sample's metric must have a TYPE.
 */
function parseExposition(text: string) {
  expect(text.endsWith('\n')).toBe(true);
  const types = new Map<string, string>();
  const helps = new Map<string, string>();
  const samples: ExpositionSample[] = [];
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue; // the format ignores empty lines
    const comment = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (comment) {
      const [, kind, name = '', rest = ''] = comment;
      expect(name).toMatch(METRIC_NAME);
      const seen = kind === 'HELP' ? helps : types;
      if (seen.has(name)) throw new Error(`second ${kind} for ${name}`);
      if (samples.some((sample) => sample.name === name)) throw new Error(`${kind} after samples of ${name}`);
      if (kind === 'TYPE' && !TYPES.has(rest)) throw new Error(`bad type: ${line}`);
      if (kind === 'HELP' && /\\[^\\n]/.test(rest.replace(/\\\\/g, '')))
        throw new Error(`bad HELP escape: ${line}`);
      seen.set(name, rest);
      continue;
    }
    if (line.startsWith('#') || line.trim() === '')
      throw new Error(`unexpected line: ${JSON.stringify(line)}`);
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0] ?? '';
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) [labels, rest] = parseLabels(rest, line);
    const [value = '', timestamp, ...extra] = rest.startsWith(' ') ? rest.slice(1).split(' ') : [];
    if (!VALUE.test(value) || extra.length > 0 || (timestamp !== undefined && !/^-?\d+$/.test(timestamp)))
      throw new Error(`bad sample: ${line}`);
    if (!types.has(name)) throw new Error(`sample without TYPE: ${line}`);
    samples.push({ name, labels, value: Number(value) });
  }
  return { types, helps, samples };
}

const find = (samples: ExpositionSample[], name: string, labels: Record<string, string> = {}) =>
  samples.find(
    (sample) =>
      sample.name === name &&
      Object.keys(sample.labels).length === Object.keys(labels).length &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  )?.value;

let handle: DbHandle;
let agentId: number;

beforeEach(() => {
  handle = createTestDb();
  agentId = createAgent(handle.db, { name: 'writer', model: 'claude-sonnet-4-5', defaultPrompt: 'p' }).id;
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
      totals: getPrometheusTotals(handle.db),
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
    expect(find(samples, 'claudeops_tokens_total', { model: 'claude-sonnet-4-5', kind: 'input' })).toBe(
      1_500,
    );
    expect(find(samples, 'claudeops_tokens_total', { model: 'claude-sonnet-4-5', kind: 'cache_read' })).toBe(
      4_000,
    );
    expect(
      find(samples, 'claudeops_tokens_total', { model: 'claude-"haiku"\\4-5', kind: 'cache_creation' }),
    ).toBe(30);
    expect(find(samples, 'claudeops_cost_usd_total', { model: 'claude-sonnet-4-5' })).toBe(1.75);
    expect(find(samples, 'claudeops_runs_active')).toBe(1);
    expect(find(samples, 'claudeops_runs_queued')).toBe(1);
    expect(find(samples, 'claudeops_circuit_breaker_state', { state: 'half_open' })).toBe(1);
    expect(find(samples, 'claudeops_circuit_breaker_state', { state: 'open' })).toBe(0);

    // Host figures of the capture: 4 cores, 8 GB, the awkward mount point back as it was.
    expect(find(samples, 'claudeops_host_cpu_cores')).toBe(4);
    expect(find(samples, 'claudeops_host_cpu_busy_ratio', { cpu: 'all' })).toBeGreaterThan(0);
    expect(find(samples, 'claudeops_host_cpu_busy_ratio', { cpu: '3' })).toBeGreaterThan(0);
    expect(find(samples, 'claudeops_host_memory_total_bytes')).toBe(8_000_000 * 1024);
    expect(find(samples, 'claudeops_host_load1')).toBe(3.5);
    const awkward = { mountpoint: '/mnt/we"ird\\dir\nline', device: 'C:\\disk', fstype: 'ext4' };
    expect(find(samples, 'claudeops_host_filesystem_size_bytes', awkward)).toBe(25_000_000 * 4096);
    expect(find(samples, 'claudeops_host_network_receive_bytes_total', { interface: 'eth0' })).toBe(
      1_234_567_890,
    );
    expect(types.get('claudeops_host_disk_read_bytes_total')).toBe('counter');
    expect(find(samples, 'claudeops_host_disk_read_bytes_total', { device: 'sda' })).toBe(200_000 * 512);
    // This kernel had no pressure information: no metric rather than zeros.
    expect(types.has('claudeops_host_pressure_ratio')).toBe(false);
  });

  it('leaves host metrics out before the first sample, and counters only grow between scrapes', async () => {
    const scrape = async () =>
      parseExposition(
        await renderPrometheus({
          host: undefined,
          totals: getPrometheusTotals(handle.db),
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
      expect(find(second.samples, counter.name, counter.labels)).toBeGreaterThanOrEqual(counter.value);
    expect(find(second.samples, 'claudeops_runs_total', { status: 'completed' })).toBe(2);
    expect(find(second.samples, 'claudeops_runs_total', { status: 'cancelled' })).toBe(1);
  });
});
