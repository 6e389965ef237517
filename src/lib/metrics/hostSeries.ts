import type { HostMetric, HostSample } from '../contracts/metrics';

export interface SeriesValue {
  metric: HostMetric;
  /** '' for the machine as a whole. */
  entity: string;
  value: number;
}

/**
 * The stored series of a sample. Per core only the busy share is kept (a 64-core machine would
 * otherwise store 320 series); the breakdown is kept for all cores together. Rates not known yet
 * (first reading of a device) are left out rather than stored as 0.
 */
export function sampleSeries(sample: HostSample): SeriesValue[] {
  const values: SeriesValue[] = [];
  const add = (metric: HostMetric, value: number | null | undefined, entity = '') => {
    if (value !== null && value !== undefined) values.push({ metric, entity, value });
  };
  const { cpu, load, memory, pressure } = sample;
  add('cpu.busy', cpu.busy);
  add('cpu.user', cpu.user);
  add('cpu.system', cpu.system);
  add('cpu.iowait', cpu.iowait);
  add('cpu.steal', cpu.steal);
  for (const core of sample.cores) add('cpu.busy', core.busy, String(core.core));
  add('load.1', load.load1);
  add('load.5', load.load5);
  add('load.15', load.load15);
  add('memory.total', memory.totalBytes);
  add('memory.used', memory.usedBytes);
  add('memory.available', memory.availableBytes);
  add('memory.cached', memory.cachedBytes);
  add('swap.total', memory.swapTotalBytes);
  add('swap.used', memory.swapUsedBytes);
  add('pressure.cpu.some', pressure.cpu?.some);
  add('pressure.memory.some', pressure.memory?.some);
  add('pressure.memory.full', pressure.memory?.full);
  add('pressure.io.some', pressure.io?.some);
  add('pressure.io.full', pressure.io?.full);
  for (const fs of sample.filesystems) {
    add('fs.size', fs.sizeBytes, fs.mountPoint);
    add('fs.used', fs.usedBytes, fs.mountPoint);
  }
  for (const disk of sample.disks) {
    add('disk.read', disk.readBytesPerSecond, disk.device);
    add('disk.write', disk.writeBytesPerSecond, disk.device);
  }
  for (const nic of sample.network) {
    add('net.rx', nic.rxBytesPerSecond, nic.interface);
    add('net.tx', nic.txBytesPerSecond, nic.interface);
  }
  return values;
}
