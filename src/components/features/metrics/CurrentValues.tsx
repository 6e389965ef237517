'use client';

import { LocalTime } from '@/components/ui/LocalTime';
import type { HostSample } from '@/lib/contracts/metrics';
import { formatBytes, formatPercent } from '@/lib/presentation/format';

const rate = (bytesPerSecond: number | null) =>
  bytesPerSecond === null ? '—' : `${formatBytes(bytesPerSecond)}/s`;

/** Every figure of the newest sample as text: what the charts show, readable without them. */
export function CurrentValues({ sample }: { sample: HostSample | null }) {
  if (!sample) {
    return (
      <p className="empty" data-testid="current-values-empty">
        No sample yet: the first arrives within one interval.
      </p>
    );
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
      `${load.load1.toFixed(2)} · ${load.load5.toFixed(2)} · ${load.load15.toFixed(2)} (${cores.length} cores)`,
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
    ...sample.network.map((nic): [string, string] => [
      `Network ${nic.interface}`,
      `in ${rate(nic.rxBytesPerSecond)}, out ${rate(nic.txBytesPerSecond)}`,
    ]),
  ];
  return (
    <div className="table-wrap">
      <table className="table" data-testid="current-values" data-t={sample.t}>
        <caption className="muted small">
          Read at <LocalTime epochMs={sample.t} testId="current-values-time" />
        </caption>
        <tbody>
          {rows.map(([name, value]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
