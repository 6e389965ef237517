import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { type HostSource, systemSource } from '../../src/lib/metrics/hostSource';
import { HostVitalsReader } from '../../src/lib/metrics/hostVitals';

/** `seconds` of one core kept busy by a `yes` child. */
function burnOneCore(seconds: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('timeout', [String(seconds), 'yes'], { stdio: ['ignore', 'ignore', 'ignore'] });
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
}

describe('a worker host’s figures, read from this machine', () => {
  it('reads the cores, memory, load and data disk as the kernel reports them, and the CPU share since the last read', async () => {
    const reader = new HostVitalsReader(systemSource(), os.tmpdir());
    const first = await reader.read();
    // No earlier reading to take a share from.
    expect(first?.cpuBusy).toBeNull();
    await burnOneCore(1);
    const second = await reader.read();
    expect(second).not.toBeNull();
    if (!second) return;
    // One core of the machine's was busy the whole second: at least most of 1/cores of its time.
    expect(second.cpuBusy).toBeGreaterThan(0.5 / os.availableParallelism());
    expect(second.cpuBusy).toBeLessThanOrEqual(1);
    expect(second.cores).toBe(os.cpus().length);
    expect(second.memoryTotalBytes).toBe(os.totalmem());
    expect(second.memoryUsedBytes).toBeGreaterThan(0);
    expect(second.memoryUsedBytes).toBeLessThan(second.memoryTotalBytes);
    expect(second.load1).toBeCloseTo(os.loadavg()[0] ?? -1, 0);
    const disk = fs.statfsSync(os.tmpdir());
    expect(second.diskSizeBytes).toBe(disk.blocks * disk.bsize);
    expect(second.diskAvailableBytes).toBeGreaterThan(0);
    // Give or take what other processes wrote between the two reads.
    expect(Math.abs((second.diskUsedBytes ?? 0) - (disk.blocks - disk.bfree) * disk.bsize)).toBeLessThan(
      2 ** 28,
    );
  });

  it('is null where /proc cannot be read, and leaves out a disk that does not answer', async () => {
    const system = systemSource();
    const noProc: HostSource = { ...system, readText: () => Promise.reject(new Error('ENOENT')) };
    expect(await new HostVitalsReader(noProc, os.tmpdir()).read()).toBeNull();
    const stuckDisk: HostSource = { ...system, statfs: () => new Promise(() => {}) };
    const vitals = await new HostVitalsReader(stuckDisk, os.tmpdir()).read();
    expect(vitals).toMatchObject({ diskAvailableBytes: null, diskSizeBytes: null, diskUsedBytes: null });
    expect(vitals?.memoryTotalBytes).toBe(os.totalmem());
  });
});
