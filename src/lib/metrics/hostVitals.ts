import type { HostVitals } from '../contracts/workers';
import { cpuShare, filesystemUsage } from './hostCollector';
import { type HostSource, StatfsGuard } from './hostSource';
import { type CpuTimes, parseCpuTimes, parseLoadAverage, parseMemoryInfo } from './procParsers';

/** How long the data directory's statfs may take before a beat goes on without the disk figures. */
const STATFS_TIMEOUT_MS = 500;

/**
 * A worker host's figures at a glance, sent with each beat so the Workers page shows every host's
 * load, not only this one's (whose history the host collector records). Reads /proc and the
 * filesystem that holds `diskPath`; the CPU share is over the time since the previous reading.
 */
export class HostVitalsReader {
  private previousCpu: CpuTimes | undefined;
  private readonly statfs: StatfsGuard;

  constructor(
    private readonly source: HostSource,
    private readonly diskPath: string,
  ) {
    this.statfs = new StatfsGuard(source.statfs, STATFS_TIMEOUT_MS);
  }

  /** This reading, or null when /proc cannot be read (not Linux, or a sandbox without it). */
  async read(): Promise<HostVitals | null> {
    const [stat, loadavg, meminfo, disk] = await Promise.all([
      this.source.readText('/proc/stat'),
      this.source.readText('/proc/loadavg'),
      this.source.readText('/proc/meminfo'),
      this.statfs.read(this.diskPath),
    ]).catch(() => [] as const);
    if (stat === undefined || loadavg === undefined || meminfo === undefined) return null;
    const cpus = parseCpuTimes(stat);
    const total = cpus.get('cpu');
    const busy = total && this.previousCpu ? cpuShare(this.previousCpu, total).busy : null;
    this.previousCpu = total;
    const memory = parseMemoryInfo(meminfo);
    const usage = disk && disk !== 'timeout' ? filesystemUsage(disk) : null;
    return {
      cpuBusy: busy,
      cores: [...cpus.keys()].filter((id) => id !== 'cpu').length,
      load1: parseLoadAverage(loadavg).load1,
      memoryUsedBytes: memory.totalBytes - memory.availableBytes,
      memoryTotalBytes: memory.totalBytes,
      diskAvailableBytes: usage?.availableBytes ?? null,
      diskSizeBytes: usage?.sizeBytes ?? null,
      diskUsedBytes: usage?.usedBytes ?? null,
    };
  }
}
