import { Counter, Gauge, Registry } from 'prom-client';
import type { HostSample } from '../contracts/metrics';
import type { CircuitState } from '../contracts/system';
import { CIRCUIT_STATES } from '../contracts/system';
import type { PrometheusTotals } from '../db/queries/metrics';

/** Everything one scrape shows: the latest host sample, the database's totals, the runtime's gauges. */
export interface PrometheusSnapshot {
  /** undefined until the collector's first sample. */
  host: HostSample | undefined;
  totals: PrometheusTotals;
  activeRuns: number;
  queuedRuns: number;
  circuitState: CircuitState;
}

export const PROMETHEUS_CONTENT_TYPE = new Registry().contentType;

type Labels = Record<string, string | number>;

/**
 * The text exposition format (0.0.4) of a snapshot. A fresh registry per scrape, without the
 * default process metrics: nothing global to reset, and a metric that is gone (an unmounted disk)
 * is simply absent. Label values are escaped by prom-client.
 */
export async function renderPrometheus(snapshot: PrometheusSnapshot): Promise<string> {
  const registry = new Registry();
  // A metric without values is left out: prom-client would print an unlabelled 0 for it.
  const gauge: Add = (name, help, values) => {
    const [first] = values;
    if (!first) return;
    const metric = new Gauge({ name, help, labelNames: Object.keys(first[0]), registers: [registry] });
    for (const [labels, value] of values) metric.set(labels, value);
  };
  const counter: Add = (name, help, values) => {
    const [first] = values;
    if (!first) return;
    const metric = new Counter({ name, help, labelNames: Object.keys(first[0]), registers: [registry] });
    for (const [labels, value] of values) metric.inc(labels, value);
  };

  if (snapshot.host) addHostMetrics(snapshot.host, gauge, counter);

  const { totals } = snapshot;
  counter(
    'claudeops_runs_total',
    'Agent runs finished, by how they ended.',
    totals.runsByStatus.map(({ status, count }) => [{ status }, count]),
  );
  counter(
    'claudeops_tokens_total',
    'Tokens used by agent runs, by model and kind.',
    totals.byModel.flatMap((row) => [
      [{ model: row.model, kind: 'input' }, row.inputTokens],
      [{ model: row.model, kind: 'output' }, row.outputTokens],
      [{ model: row.model, kind: 'cache_creation' }, row.cacheCreationTokens],
      [{ model: row.model, kind: 'cache_read' }, row.cacheReadTokens],
    ]),
  );
  counter(
    'claudeops_cost_usd_total',
    'What agent runs cost, in US dollars, by model.',
    totals.byModel.map((row) => [{ model: row.model }, row.costUsd]),
  );
  gauge('claudeops_runs_active', 'Agent runs under way.', [[{}, snapshot.activeRuns]]);
  gauge('claudeops_runs_queued', 'Agent runs waiting to start.', [[{}, snapshot.queuedRuns]]);
  gauge(
    'claudeops_circuit_breaker_state',
    'The circuit breaker that stops runs from starting while the API keeps failing: 1 for its current state.',
    CIRCUIT_STATES.map((state) => [{ state }, state === snapshot.circuitState ? 1 : 0]),
  );
  return registry.metrics();
}

type Add = (name: string, help: string, values: readonly [Labels, number][]) => void;

type Filesystem = HostSample['filesystems'][number];
type Disk = HostSample['disks'][number];
type Nic = HostSample['network'][number];

const FILESYSTEM_GAUGES: [string, string, (fs: Filesystem) => number][] = [
  ['claudeops_host_filesystem_size_bytes', 'File system size.', (fs) => fs.sizeBytes],
  ['claudeops_host_filesystem_used_bytes', 'File system space in use.', (fs) => fs.usedBytes],
  [
    'claudeops_host_filesystem_available_bytes',
    'File system space free for unprivileged users.',
    (fs) => fs.availableBytes,
  ],
];

const DISK_COUNTERS: [string, string, (disk: Disk) => number][] = [
  ['claudeops_host_disk_read_bytes_total', 'Bytes read from each disk.', (disk) => disk.readBytes],
  ['claudeops_host_disk_written_bytes_total', 'Bytes written to each disk.', (disk) => disk.writeBytes],
];

const NETWORK_COUNTERS: [string, string, (nic: Nic) => number][] = [
  ['claudeops_host_network_receive_bytes_total', 'Bytes received on each interface.', (nic) => nic.rxBytes],
  ['claudeops_host_network_transmit_bytes_total', 'Bytes sent on each interface.', (nic) => nic.txBytes],
];

function addHostMetrics(host: HostSample, gauge: Add, counter: Add): void {
  gauge('claudeops_host_sample_timestamp_seconds', 'When the host figures below were read.', [
    [{}, host.t / 1000],
  ]);
  gauge('claudeops_host_cpu_cores', 'Online CPU cores.', [[{}, host.cores.length]]);
  gauge(
    'claudeops_host_cpu_busy_ratio',
    'Share of CPU time not idle and not waiting on I/O, per core and for all.',
    [
      [{ cpu: 'all' }, host.cpu.busy],
      ...host.cores.map((core): [Labels, number] => [{ cpu: core.core }, core.busy]),
    ],
  );
  gauge('claudeops_host_cpu_mode_ratio', 'Share of all cores’ time by mode.', [
    [{ mode: 'user' }, host.cpu.user],
    [{ mode: 'system' }, host.cpu.system],
    [{ mode: 'iowait' }, host.cpu.iowait],
    [{ mode: 'steal' }, host.cpu.steal],
  ]);
  gauge('claudeops_host_load1', '1-minute load average.', [[{}, host.load.load1]]);
  gauge('claudeops_host_load5', '5-minute load average.', [[{}, host.load.load5]]);
  gauge('claudeops_host_load15', '15-minute load average.', [[{}, host.load.load15]]);
  const { memory } = host;
  gauge('claudeops_host_memory_total_bytes', 'Physical memory.', [[{}, memory.totalBytes]]);
  gauge('claudeops_host_memory_used_bytes', 'Memory in use: total minus available.', [
    [{}, memory.usedBytes],
  ]);
  gauge('claudeops_host_memory_available_bytes', 'Memory available without swapping.', [
    [{}, memory.availableBytes],
  ]);
  gauge('claudeops_host_memory_cached_bytes', 'Page cache and buffers.', [[{}, memory.cachedBytes]]);
  gauge('claudeops_host_swap_total_bytes', 'Swap space.', [[{}, memory.swapTotalBytes]]);
  gauge('claudeops_host_swap_used_bytes', 'Swap in use.', [[{}, memory.swapUsedBytes]]);
  const pressure = (['cpu', 'memory', 'io'] as const).flatMap((resource): [Labels, number][] => {
    const reading = host.pressure[resource];
    if (!reading) return [];
    const some: [Labels, number] = [{ resource, kind: 'some' }, reading.some];
    return reading.full === null ? [some] : [some, [{ resource, kind: 'full' }, reading.full]];
  });
  gauge(
    'claudeops_host_pressure_ratio',
    'Share of the last 10 s tasks stalled on a resource (PSI avg10).',
    pressure,
  );
  for (const [name, help, pick] of FILESYSTEM_GAUGES)
    gauge(
      name,
      help,
      host.filesystems.map((fs) => [
        { mountpoint: fs.mountPoint, device: fs.device, fstype: fs.fsType },
        pick(fs),
      ]),
    );
  for (const [name, help, pick] of DISK_COUNTERS)
    counter(
      name,
      help,
      host.disks.map((disk) => [{ device: disk.device }, pick(disk)]),
    );
  for (const [name, help, pick] of NETWORK_COUNTERS)
    counter(
      name,
      help,
      host.network.map((nic) => [{ interface: nic.interface }, pick(nic)]),
    );
}
