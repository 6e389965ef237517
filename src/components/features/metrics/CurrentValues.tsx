'use client';

import { type Columns, DataTable } from '@/components/ui/DataTable';
import { Empty } from '@/components/ui/Panel';
import { Time } from '@/components/ui/Time';
import type { HostSample } from '@/lib/contracts/metrics';
import { formatBytes, formatMetric, formatPercent } from '@/lib/presentation/format';

const rate = (bytesPerSecond: number | null) =>
  bytesPerSecond === null ? '—' : `${formatBytes(bytesPerSecond)}/s`;

/** Every figure of the newest sample as text: what the charts show, readable without them. */
export function CurrentValues({
  sample,
  hiddenInterfaces,
}: {
  sample: HostSample | null;
  /** Interfaces left out (virtual ones, unless the reader shows them). */
  hiddenInterfaces: ReadonlySet<string>;
}) {
  if (!sample) {
    return <Empty testId="current-values-empty">No sample yet: the first arrives within one interval.</Empty>;
  }
  const { cpu, cores, load, memory, pressure } = sample;
  const rows: [string, string][] = [
    [
      'CPU busy',
      `${formatPercent(cpu.busy)} (user ${formatPercent(cpu.user)}, system ${formatPercent(cpu.system)}, I/O wait ${formatPercent(cpu.iowait)}, steal ${formatPercent(cpu.steal)})`,
    ],
    ...cores.map((core): [string, string] => [`Core ${core.core}`, formatPercent(core.busy)]),
    [
      'Load average',
      `${[load.load1, load.load5, load.load15].map((value) => formatMetric(value, 'load')).join(' · ')} (${cores.length} cores)`,
    ],
    [
      'Memory used',
      `${formatBytes(memory.usedBytes)} of ${formatBytes(memory.totalBytes)} (${formatPercent(1 - memory.availableRatio)})`,
    ],
    ['Memory cached', formatBytes(memory.cachedBytes)],
    ['Swap used', `${formatBytes(memory.swapUsedBytes)} of ${formatBytes(memory.swapTotalBytes)}`],
    ...(['cpu', 'memory', 'io'] as const).flatMap((resource): [string, string][] => {
      const reading = pressure[resource];
      if (!reading) return [];
      const full = reading.full === null ? '' : `, full ${formatPercent(reading.full)}`;
      return [[`Pressure (${resource})`, `some ${formatPercent(reading.some)}${full}`]];
    }),
    ...sample.filesystems.map((fs): [string, string] => [
      `Disk ${fs.mountPoint}`,
      `${formatBytes(fs.usedBytes)} of ${formatBytes(fs.sizeBytes)} (${formatPercent(fs.usedRatio)}), ${fs.fsType} on ${fs.device}`,
    ]),
    ...sample.disks.map((disk): [string, string] => [
      `Disk I/O ${disk.device}`,
      `read ${rate(disk.readBytesPerSecond)}, write ${rate(disk.writeBytesPerSecond)}`,
    ]),
    ...sample.network
      .filter((nic) => !hiddenInterfaces.has(nic.interface))
      .map((nic): [string, string] => [
        `Network ${nic.interface}`,
        `in ${rate(nic.rxBytesPerSecond)}, out ${rate(nic.txBytesPerSecond)}`,
      ]),
  ];
  return (
    <>
      <p className="muted small">
        Read <Time epochMs={sample.t} format="datetime" seconds testId="current-values-time" />
      </p>
      <DataTable
        data={rows}
        columns={columns}
        getRowId={([name]) => name}
        testId="current-values"
        label="This machine now"
        tableData={{ 'data-t': sample.t }}
      />
    </>
  );
}

const columns: Columns<[string, string]> = [
  { id: 'name', header: 'Figure', meta: { primary: true }, cell: ({ row }) => row.original[0] },
  { id: 'value', header: 'Now', cell: ({ row }) => row.original[1] },
];
