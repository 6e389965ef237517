// Parsers for the /proc files the host collector reads. Pure: text in, numbers out, so they are
// tested on captured files. Formats: proc(5) and Documentation/admin-guide/iostats.rst.

/** Jiffies one CPU spent in each state since boot (guest time is already inside user). */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

/** /proc/stat → 'cpu' (all cores) and 'cpu0', 'cpu1', … */
export function parseCpuTimes(text: string): Map<string, CpuTimes> {
  const cpus = new Map<string, CpuTimes>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) continue;
    const [id, ...fields] = line.trim().split(/\s+/);
    if (id === undefined) continue;
    const field = (index: number) => Number(fields[index] ?? 0);
    cpus.set(id, {
      user: field(0),
      nice: field(1),
      system: field(2),
      idle: field(3),
      iowait: field(4),
      irq: field(5),
      softirq: field(6),
      steal: field(7),
    });
  }
  return cpus;
}

export interface LoadAverage {
  load1: number;
  load5: number;
  load15: number;
}

/** /proc/loadavg: "0.74 1.25 0.89 2/94 11401" */
export function parseLoadAverage(text: string): LoadAverage {
  const [load1, load5, load15] = text.trim().split(/\s+/).map(Number);
  return { load1: load1 ?? 0, load5: load5 ?? 0, load15: load15 ?? 0 };
}

export interface MemoryInfo {
  totalBytes: number;
  availableBytes: number;
  cachedBytes: number;
  swapTotalBytes: number;
  swapFreeBytes: number;
}

/** /proc/meminfo; values are in KiB. */
export function parseMemoryInfo(text: string): MemoryInfo {
  const kib = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\w+(?:\(\w+\))?):\s+(\d+)/.exec(line);
    if (match?.[1] && match[2]) kib.set(match[1], Number(match[2]));
  }
  const bytesOf = (key: string) => (kib.get(key) ?? 0) * 1024;
  const cachedBytes = bytesOf('Buffers') + bytesOf('Cached') + bytesOf('SReclaimable');
  return {
    totalBytes: bytesOf('MemTotal'),
    // Kernels before 3.14 have no MemAvailable; free + cache is what they would have reported.
    availableBytes: kib.has('MemAvailable') ? bytesOf('MemAvailable') : bytesOf('MemFree') + cachedBytes,
    cachedBytes,
    swapTotalBytes: bytesOf('SwapTotal'),
    swapFreeBytes: bytesOf('SwapFree'),
  };
}

export interface Pressure {
  some: number;
  full: number | null;
}

/** /proc/pressure/<resource>: the avg10 percentages, as shares (0–1). */
export function parsePressure(text: string): Pressure {
  const avg10 = (kind: 'some' | 'full') => {
    const match = new RegExp(`^${kind} avg10=([\\d.]+)`, 'm').exec(text);
    return match?.[1] === undefined ? null : Number(match[1]) / 100;
  };
  return { some: avg10('some') ?? 0, full: avg10('full') };
}

export interface DiskCounters {
  name: string;
  readBytes: number;
  writeBytes: number;
}

/** diskstats counts 512-byte sectors whatever the device's own sector size. */
const SECTOR_BYTES = 512;

/** /proc/diskstats: major minor name reads merged sectors-read ms writes merged sectors-written … */
export function parseDiskStats(text: string): DiskCounters[] {
  const disks: DiskCounters[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const name = fields[2];
    if (name === undefined || fields.length < 10) continue;
    disks.push({
      name,
      readBytes: Number(fields[5]) * SECTOR_BYTES,
      writeBytes: Number(fields[9]) * SECTOR_BYTES,
    });
  }
  return disks;
}

export interface NetworkCounters {
  name: string;
  rxBytes: number;
  txBytes: number;
}

/** /proc/net/dev: two header lines, then "iface: rx-bytes packets errs … (8 rx fields) tx-bytes …". */
export function parseNetworkDevices(text: string): NetworkCounters[] {
  const devices: NetworkCounters[] = [];
  for (const line of text.split('\n').slice(2)) {
    // Large counters can touch the colon ("eth0:659736101"): split on it, not on spaces.
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    if (fields.length < 9) continue;
    devices.push({
      name: line.slice(0, colon).trim(),
      rxBytes: Number(fields[0]),
      txBytes: Number(fields[8]),
    });
  }
  return devices;
}

export interface Mount {
  /** "major:minor" of the device; bind mounts and btrfs subvolumes repeat it. */
  deviceNumber: string;
  mountPoint: string;
  fsType: string;
  source: string;
}

/** mountinfo escapes space, tab, newline and backslash as octal (\040, \011, \012, \134). */
const unescapeOctal = (value: string) =>
  value.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));

/** /proc/self/mountinfo: "id parent major:minor root mount-point options [optional…] - type source super-options" */
export function parseMountInfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    const deviceNumber = fields[2];
    const mountPoint = fields[4];
    const fsType = fields[separator + 1];
    const source = fields[separator + 2];
    if (separator < 0 || !deviceNumber || !mountPoint || !fsType || source === undefined) continue;
    mounts.push({
      deviceNumber,
      mountPoint: unescapeOctal(mountPoint),
      fsType,
      source: unescapeOctal(source),
    });
  }
  return mounts;
}
