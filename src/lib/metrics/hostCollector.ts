import { type CpuShare, diskUsedShare, type HostSample, isVirtualInterface } from '../contracts/metrics';
import type { Logger } from '../core/logger';
import { isReportedInterface, reportedDisks, reportedMounts } from './devices';
import { type FsStats, type HostSource, StatfsGuard, systemSource } from './hostSource';
import {
  type CpuTimes,
  type DiskCounters,
  type NetworkCounters,
  type Pressure,
  parseCpuTimes,
  parseDiskStats,
  parseLoadAverage,
  parseMemoryInfo,
  parseMountInfo,
  parseNetworkDevices,
  parsePressure,
} from './procParsers';

/**
 * Increase of a monotonic counter between two readings. A smaller reading means the counter
 * restarted from 0 (an interface re-created, a driver reloaded), so the increase is the new reading:
 * never a negative rate, as Prometheus' rate() does it.
 */
function counterIncrease(previous: number, current: number): number {
  return current >= previous ? current - previous : current;
}

/** Bytes per second from two counter readings; null without an earlier reading to compare with. */
function ratePerSecond(previous: number | undefined, current: number, elapsedMs: number): number | null {
  if (previous === undefined || elapsedMs <= 0) return null;
  return counterIncrease(previous, current) / (elapsedMs / 1000);
}

/**
 * Shares of a CPU's time between two readings of /proc/stat. Unlike byte counters these never
 * restart, but iowait may step back a little (proc(5)): a decrease counts as no time.
 */
export function cpuShare(previous: CpuTimes | undefined, current: CpuTimes): CpuShare {
  const spent = (field: keyof CpuTimes) => Math.max(0, current[field] - (previous?.[field] ?? 0));
  const user = spent('user') + spent('nice');
  const system = spent('system') + spent('irq') + spent('softirq');
  const idle = spent('idle');
  const iowait = spent('iowait');
  const steal = spent('steal');
  const total = user + system + idle + iowait + steal;
  if (total === 0) return { busy: 0, user: 0, system: 0, iowait: 0, steal: 0 };
  return {
    busy: (user + system + steal) / total,
    user: user / total,
    system: system / total,
    iowait: iowait / total,
    steal: steal / total,
  };
}

interface CounterReadings {
  t: number;
  cpus: Map<string, CpuTimes>;
  disks: Map<string, DiskCounters>;
  network: Map<string, NetworkCounters>;
}

export interface HostCollectorOptions {
  source?: HostSource;
  /** How long one mount's statfs may take before the sample goes on without it. */
  statfsTimeoutMs?: number;
  logger?: Logger;
}

/**
 * Reads this machine from /proc, /sys and statfs, asynchronously, and turns counters into shares
 * and rates against the previous reading. One instance per process: it keeps that reading.
 */
export class HostCollector {
  private readonly source: HostSource;
  private readonly statfs: StatfsGuard;
  private readonly logger: Logger | undefined;
  private previous: CounterReadings | undefined;
  /** Interfaces seen so far, and whether each is virtual (a device does not change kind). */
  private readonly virtualInterfaces = new Map<string, boolean>();

  constructor(options: HostCollectorOptions = {}) {
    this.source = options.source ?? systemSource();
    this.statfs = new StatfsGuard(this.source.statfs, options.statfsTimeoutMs ?? 1_000);
    this.logger = options.logger;
  }

  /** One sample dated `t`. Rates are null for devices and interfaces first seen now. */
  async sample(t: number): Promise<HostSample> {
    const read = (file: string) => this.source.readText(file);
    const [stat, loadavg, meminfo, diskstats, netdev, sysBlock, pressure, filesystems] = await Promise.all([
      read('/proc/stat'),
      read('/proc/loadavg'),
      read('/proc/meminfo'),
      read('/proc/diskstats'),
      read('/proc/net/dev'),
      this.source.list('/sys/block'),
      this.readPressure(),
      this.readFilesystems(),
    ]);
    const wholeDisks = reportedDisks(sysBlock);
    const current: CounterReadings = {
      t,
      cpus: parseCpuTimes(stat),
      disks: new Map(parseDiskStats(diskstats).flatMap((d) => (wholeDisks.has(d.name) ? [[d.name, d]] : []))),
      network: new Map(
        parseNetworkDevices(netdev).flatMap((n) => (isReportedInterface(n.name) ? [[n.name, n]] : [])),
      ),
    };
    const virtual = await this.classifyInterfaces([...current.network.keys()]);
    const previous = this.previous;
    this.previous = current;
    const elapsedMs = previous ? t - previous.t : 0;
    const memory = parseMemoryInfo(meminfo);
    return {
      t,
      cpu: cpuShare(previous?.cpus.get('cpu'), current.cpus.get('cpu') ?? NO_CPU_TIME),
      cores: [...current.cpus]
        .filter(([id]) => id !== 'cpu')
        .map(([id, times]) => ({ core: Number(id.slice(3)), ...cpuShare(previous?.cpus.get(id), times) })),
      load: parseLoadAverage(loadavg),
      memory: {
        totalBytes: memory.totalBytes,
        usedBytes: Math.max(0, memory.totalBytes - memory.availableBytes),
        availableBytes: memory.availableBytes,
        availableRatio: memory.totalBytes > 0 ? Math.min(1, memory.availableBytes / memory.totalBytes) : 0,
        cachedBytes: memory.cachedBytes,
        swapTotalBytes: memory.swapTotalBytes,
        swapUsedBytes: Math.max(0, memory.swapTotalBytes - memory.swapFreeBytes),
      },
      pressure,
      filesystems,
      disks: [...current.disks.values()].map(({ name, readBytes, writeBytes }) => {
        const before = previous?.disks.get(name);
        return {
          device: name,
          readBytesPerSecond: ratePerSecond(before?.readBytes, readBytes, elapsedMs),
          writeBytesPerSecond: ratePerSecond(before?.writeBytes, writeBytes, elapsedMs),
          readBytes,
          writeBytes,
        };
      }),
      network: [...current.network.values()].map(({ name, rxBytes, txBytes }) => {
        const before = previous?.network.get(name);
        return {
          interface: name,
          virtual: virtual.get(name),
          rxBytesPerSecond: ratePerSecond(before?.rxBytes, rxBytes, elapsedMs),
          txBytesPerSecond: ratePerSecond(before?.txBytes, txBytes, elapsedMs),
          rxBytes,
          txBytes,
        };
      }),
    };
  }

  /**
   * Virtual or not, per interface: a physical one has a `device` link under /sys/class/net/<if>
   * (a bridge, tunnel, ifb or veth has none). Read once per interface; by name when /sys has no entry.
   */
  private async classifyInterfaces(names: readonly string[]): Promise<ReadonlyMap<string, boolean>> {
    await Promise.all(
      names
        .filter((name) => !this.virtualInterfaces.has(name))
        .map(async (name) => {
          let virtual: boolean;
          try {
            virtual = !(await this.source.list(`/sys/class/net/${name}`)).includes('device');
          } catch {
            virtual = isVirtualInterface(name);
          }
          this.virtualInterfaces.set(name, virtual);
        }),
    );
    return this.virtualInterfaces;
  }

  /** Pressure stall information; null per resource where the kernel has none (before 4.20, or psi=0). */
  private async readPressure(): Promise<HostSample['pressure']> {
    const one = async (resource: string): Promise<Pressure | null> => {
      try {
        return parsePressure(await this.source.readText(`/proc/pressure/${resource}`));
      } catch {
        return null;
      }
    };
    const [cpu, memory, io] = await Promise.all([one('cpu'), one('memory'), one('io')]);
    // System-wide CPU "full" is undefined; kernels print zeros for it since 5.13.
    return { cpu: cpu && { some: cpu.some, full: null }, memory, io };
  }

  private async readFilesystems(): Promise<HostSample['filesystems']> {
    const mounts = reportedMounts(parseMountInfo(await this.source.readText('/proc/self/mountinfo')));
    const usage = await Promise.all(
      mounts.map(async (mount) => {
        const stats = await this.statfs.read(mount.mountPoint);
        if (stats === 'timeout') {
          this.logger?.warn(
            { mountPoint: mount.mountPoint },
            'statfs did not answer in time; the mount is skipped until it does',
          );
          return [];
        }
        if (!stats || stats.blocks === 0) return [];
        return [
          {
            mountPoint: mount.mountPoint,
            device: mount.source,
            fsType: mount.fsType,
            ...filesystemUsage(stats),
          },
        ];
      }),
    );
    return usage.flat();
  }
}

const NO_CPU_TIME: CpuTimes = {
  user: 0,
  nice: 0,
  system: 0,
  idle: 0,
  iowait: 0,
  irq: 0,
  softirq: 0,
  steal: 0,
};

/** Sizes as df shows them: used excludes the blocks reserved for root, Use% = used / (used + avail). */
export function filesystemUsage({ bsize, blocks, bfree, bavail }: FsStats) {
  const sizeBytes = blocks * bsize;
  const usedBytes = (blocks - bfree) * bsize;
  const availableBytes = bavail * bsize;
  return {
    sizeBytes,
    usedBytes,
    availableBytes,
    usedRatio: diskUsedShare(usedBytes, availableBytes, sizeBytes) ?? 0,
  };
}
