import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { type HostSample, hostSampleSchema, sampleSeries } from '../../src/lib/contracts/metrics';
import { cpuShare, HostCollector } from '../../src/lib/metrics/hostCollector';
import type { FsStats } from '../../src/lib/metrics/hostSource';
import { type FixtureName, fixtureSource } from '../helpers/procFixtures';

const KIB = 1024;
const SECTOR = 512;
/** The captures are treated as taken 5 s apart (tests/fixtures/proc/README.md). */
const STEP_MS = 5_000;

/** Samples the captures in order, 5 s apart, with one collector (it keeps the previous reading). */
async function sampleSequence(...names: FixtureName[]): Promise<HostSample[]> {
  const [first, ...rest] = names;
  if (!first) return [];
  const fixture = fixtureSource(first);
  const collector = new HostCollector({ source: fixture.source });
  const samples = [await collector.sample(0)];
  for (const [index, name] of rest.entries()) {
    fixture.show(name);
    samples.push(await collector.sample((index + 1) * STEP_MS));
  }
  return samples.map((sample) => hostSampleSchema.parse(sample));
}

const byName = <T>(items: T[], key: keyof T, name: string) => items.find((item) => item[key] === name);

describe('HostCollector on captured /proc data', () => {
  it('reads CPU, load, memory, pressure, file systems, disks and network from this VM', async () => {
    const [, sample] = await sampleSequence('host-a', 'host-b');
    if (!sample) throw new Error('no sample');

    expect(sample.cores.map((core) => core.core)).toEqual([0, 1]);
    // host-b/proc/loadavg
    expect(sample.load).toEqual({ load1: 2.38, load5: 1.4, load15: 1.02 });
    // host-b/proc/meminfo: MemTotal 24684084 kB, MemAvailable 24254268 kB… as captured
    expect(sample.memory.totalBytes).toBe(24_684_084 * KIB);
    expect(sample.memory.usedBytes).toBe(sample.memory.totalBytes - sample.memory.availableBytes);
    expect(sample.memory.swapTotalBytes).toBe(0);
    expect(sample.pressure.cpu?.full).toBeNull();
    expect(sample.pressure.io?.full).not.toBeNull();

    // Only the ext4 root: the proc, sysfs, devtmpfs, tmpfs, devpts and cgroup mounts are not disks.
    expect(sample.filesystems).toEqual([
      {
        mountPoint: '/',
        device: '/dev/vda',
        fsType: 'ext4',
        sizeBytes: 66_053_021 * 4096,
        usedBytes: (66_053_021 - 59_704_387) * 4096,
        availableBytes: 20_249_094 * 4096,
        usedRatio: (66_053_021 - 59_704_387) / (66_053_021 - 59_704_387 + 20_249_094),
      },
    ]);

    // vda only (loop0–7 and zram0 are skipped); dd wrote 200 MiB between the captures.
    expect(sample.disks.map((disk) => disk.device)).toEqual(['vda']);
    const vda = sample.disks[0];
    expect(vda?.writeBytesPerSecond).toBeCloseTo(((7_026_704 - 6_617_016) * SECTOR) / 5, 6);
    expect(vda?.readBytesPerSecond).toBeCloseTo(((4_178_530 - 4_161_938) * SECTOR) / 5, 6);

    // No loopback.
    expect(sample.network.map((nic) => nic.interface)).toEqual(['ifb0', 'ifb1', 'eth0']);
    const eth0 = byName(sample.network, 'interface', 'eth0');
    expect(eth0?.rxBytesPerSecond).toBeCloseTo((659_739_288 - 659_736_101) / 5, 6);
    expect(eth0?.txBytesPerSecond).toBeCloseTo((1_070_486 - 1_068_710) / 5, 6);
  });

  it('computes CPU shares from the two readings of each core', async () => {
    const [, c, d] = await sampleSequence('host-b', 'host-c', 'host-d');
    // host-b → host-c, cpu1: user +100, system +50, idle +300, iowait +100 ticks
    const cpu1 = c?.cores.find((core) => core.core === 1);
    expect(cpu1).toEqual({
      core: 1,
      busy: 150 / 550,
      user: 100 / 550,
      system: 50 / 550,
      iowait: 100 / 550,
      steal: 0,
    });
    // host-c → host-d, all cores: user +200, system +100, idle +500
    expect(d?.cpu).toEqual({ busy: 300 / 800, user: 200 / 800, system: 100 / 800, iowait: 0, steal: 0 });
  });

  it('counts a counter that restarted from zero, never a negative rate', async () => {
    const [, c] = await sampleSequence('host-b', 'host-c');
    // eth0 was re-created and vda's counters restarted: what they show now is what moved.
    const eth0 = byName(c?.network ?? [], 'interface', 'eth0');
    expect(eth0?.rxBytesPerSecond).toBe(50_000 / 5);
    expect(eth0?.txBytesPerSecond).toBe(25_000 / 5);
    const vda = byName(c?.disks ?? [], 'device', 'vda');
    expect(vda?.readBytesPerSecond).toBe((2_048 * SECTOR) / 5);
    expect(vda?.writeBytesPerSecond).toBe((1_024 * SECTOR) / 5);
  });

  it('gives an interface that appears mid-way a rate from its second reading on', async () => {
    const [b, c, d] = await sampleSequence('host-b', 'host-c', 'host-d');
    expect(byName(b?.network ?? [], 'interface', 'eth1')).toBeUndefined();
    const first = byName(c?.network ?? [], 'interface', 'eth1');
    expect(first).toEqual({
      interface: 'eth1',
      // No /sys/class/net/eth1 in the capture: its name says physical.
      virtual: false,
      rxBytesPerSecond: null,
      txBytesPerSecond: null,
      rxBytes: 100_000,
      txBytes: 20_000,
    });
    const second = byName(d?.network ?? [], 'interface', 'eth1');
    expect(second?.rxBytesPerSecond).toBe((600_000 - 100_000) / 5);
    expect(second?.txBytesPerSecond).toBe((70_000 - 20_000) / 5);

    // Stored series: no made-up 0 for the unknown rate, the real one once known.
    const eth1Series = (sample: HostSample | undefined) =>
      sample ? sampleSeries(sample).filter((series) => series.entity === 'eth1') : [];
    expect(eth1Series(c)).toEqual([]);
    expect(eth1Series(d)).toEqual([
      { metric: 'net.rx', entity: 'eth1', value: 100_000 },
      { metric: 'net.tx', entity: 'eth1', value: 10_000 },
    ]);
  });

  it('treats iowait stepping back (proc(5)) as no time, not as a restart', () => {
    const before = { user: 100, nice: 0, system: 50, idle: 800, iowait: 60, irq: 0, softirq: 0, steal: 0 };
    const after = { ...before, user: 200, idle: 900, iowait: 55 };
    expect(cpuShare(before, after)).toEqual({ busy: 0.5, user: 0.5, system: 0, iowait: 0, steal: 0 });
  });

  it('reports each local disk once and skips pseudo, network, FUSE, snap and container mounts', async () => {
    const fixture = fixtureSource('mixed');
    const collector = new HostCollector({ source: fixture.source });
    const sample = hostSampleSchema.parse(await collector.sample(0));

    // /srv/data is a bind mount of / (same device); /media/usb (fuseblk) reports no blocks.
    expect(sample.filesystems.map((fs) => [fs.mountPoint, fs.device, fs.fsType])).toEqual([
      ['/', '/dev/sda2', 'ext4'],
      ['/boot/efi', '/dev/sda1', 'vfat'],
      ['/mnt/fast disk', '/dev/nvme0n1p1', 'xfs'],
      ['/var/lib/stuck', '/dev/mapper/vg-stuck', 'ext4'],
    ]);
    const root = sample.filesystems[0];
    expect(root?.usedRatio).toBe((25_000_000 - 10_000_000) / (25_000_000 - 10_000_000 + 8_750_000));

    expect(sample.disks.map((disk) => disk.device).sort()).toEqual(['dm-0', 'nvme0n1', 'sda', 'sdb']);
    expect(sample.network.map((nic) => nic.interface)).toEqual(['eth0', 'wlan0', 'docker0']);
    expect(byName(sample.network, 'interface', 'eth0')?.rxBytes).toBe(1_234_567_890);

    expect(sample.pressure).toEqual({ cpu: null, memory: null, io: null });
    expect(sample.memory).toEqual({
      totalBytes: 8_000_000 * KIB,
      usedBytes: 6_000_000 * KIB,
      availableBytes: 2_000_000 * KIB,
      availableRatio: 0.25,
      cachedBytes: (100_000 + 1_200_000 + 200_000) * KIB,
      swapTotalBytes: 4_000_000 * KIB,
      swapUsedBytes: 1_000_000 * KIB,
    });
    expect(sample.cores).toHaveLength(4);
    expect(sample.load.load1).toBe(3.5);
  });

  it('goes on without a mount whose statfs hangs, and asks it again only once it answered', async () => {
    const fixture = fixtureSource('mixed');
    let release: (() => void) | undefined;
    let stuck = true;
    const calls: string[] = [];
    fixture.wrapStatfs((captured) => (mountPoint) => {
      calls.push(mountPoint);
      if (mountPoint !== '/var/lib/stuck' || !stuck) return captured(mountPoint);
      // A dead disk: the kernel does not answer until it comes back.
      return new Promise<FsStats>((resolve) => {
        release = () => {
          stuck = false;
          resolve(captured(mountPoint));
        };
      });
    });
    const collector = new HostCollector({ source: fixture.source, statfsTimeoutMs: 50 });
    const mountPoints = (sample: HostSample) => sample.filesystems.map((fs) => fs.mountPoint);

    const first = await collector.sample(0);
    expect(mountPoints(first)).toEqual(['/', '/boot/efi', '/mnt/fast disk']);
    const second = await collector.sample(STEP_MS);
    expect(mountPoints(second)).toEqual(['/', '/boot/efi', '/mnt/fast disk']);
    // Still stuck: not asked again, so it holds at most one thread-pool thread.
    expect(calls.filter((call) => call === '/var/lib/stuck')).toHaveLength(1);

    release?.();
    await new Promise((resolve) => setImmediate(resolve));
    const third = await collector.sample(2 * STEP_MS);
    expect(mountPoints(third)).toContain('/var/lib/stuck');
    expect(calls.filter((call) => call === '/var/lib/stuck')).toHaveLength(2);
  });
});

describe('HostCollector on this machine', () => {
  it('reads sane figures from the real /proc', async () => {
    const collector = new HostCollector();
    await collector.sample(Date.now());
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sample = hostSampleSchema.parse(await collector.sample(Date.now()));

    for (const share of [sample.cpu, ...sample.cores]) {
      expect(share.busy).toBeGreaterThanOrEqual(0);
      expect(share.busy).toBeLessThanOrEqual(1);
      expect(share.user + share.system + share.iowait + share.steal).toBeLessThanOrEqual(1 + 1e-9);
    }
    expect(sample.cores).toHaveLength(os.cpus().length);
    expect(sample.memory.totalBytes).toBe(os.totalmem());
    expect(sample.memory.usedBytes).toBeLessThanOrEqual(sample.memory.totalBytes);
    expect(sample.memory.availableBytes).toBeLessThanOrEqual(sample.memory.totalBytes);
    expect(sample.memory.swapUsedBytes).toBeLessThanOrEqual(sample.memory.swapTotalBytes);
    expect(sample.load.load1).toBeGreaterThanOrEqual(0);

    const root = sample.filesystems.find((fs) => fs.mountPoint === '/');
    expect(root?.sizeBytes).toBeGreaterThan(0);
    for (const fs of sample.filesystems) {
      expect(fs.usedBytes + fs.availableBytes).toBeLessThanOrEqual(fs.sizeBytes);
      expect(fs.usedRatio).toBeGreaterThanOrEqual(0);
      expect(fs.usedRatio).toBeLessThanOrEqual(1);
    }
    expect(sample.disks.length).toBeGreaterThan(0);
    for (const disk of sample.disks) {
      expect(disk.device).not.toMatch(/^(loop|ram|zram)\d/);
      expect(disk.readBytesPerSecond).toBeGreaterThanOrEqual(0);
      expect(disk.writeBytesPerSecond).toBeGreaterThanOrEqual(0);
    }
    for (const nic of sample.network) {
      expect(nic.interface).not.toBe('lo');
      expect(nic.rxBytesPerSecond).toBeGreaterThanOrEqual(0);
      expect(nic.txBytesPerSecond).toBeGreaterThanOrEqual(0);
    }
  });
});
