import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StorageStatusDto } from '../../../src/lib/contracts/storage';
import type { StorageFault } from '../../../src/lib/core/storageFault';
import type { DiskSpace } from '../../../src/lib/storage/diskSpace';
import { StorageMonitor } from '../../../src/lib/storage/monitor';
import { StorageReserve } from '../../../src/lib/storage/reserve';
import { capturingLogger } from '../../helpers/logCapture';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const FULL: StorageFault = { kind: 'full', code: 'SQLITE_FULL', detail: 'database or disk is full' };

/** A monitor over a real reserve file, with the free space and the probe's fate set by the test. */
function monitorWith(space: DiskSpace) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-monitor-'));
  const reserve = new StorageReserve(path.join(dataDir, 'storage-reserve'), 2 * MIB);
  const disk = { space, writesFail: false };
  const published: StorageStatusDto[] = [];
  const monitor = new StorageMonitor({
    dataDir,
    logger: capturingLogger().logger,
    floor: () => ({ diskFloorMb: 1_024, diskFloorPercent: 5 }),
    reserve,
    probe: () => {
      if (disk.writesFail)
        throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    },
    flushPending: () => {},
    busy: () => false,
    onChange: (status) => published.push(status),
    readSpace: () => disk.space,
  });
  return { monitor, reserve, disk, published, dataDir };
}

describe('StorageMonitor', () => {
  it('is ok above the floor (the smaller of 1 GiB and 5%), low below it, and says why', () => {
    const { monitor, disk } = monitorWith({ freeBytes: 30 * GIB, totalBytes: 100 * GIB });
    expect(monitor.check()).toMatchObject({ state: 'ok', floorBytes: GIB, message: null });
    expect(monitor.refusal()).toBeNull();

    disk.space = { freeBytes: 900 * MIB, totalBytes: 100 * GIB };
    const low = monitor.check();
    expect(low.state).toBe('low');
    expect(low.message).toMatch(/^Only 900 MiB free on the file system of .* \(floor 1.00 GiB\)/);
    expect(monitor.refusal()).toMatchObject({ code: 'storage_low' });

    // On a 10 GiB disk, 5% (512 MiB) is the smaller floor.
    disk.space = { freeBytes: 900 * MIB, totalBytes: 10 * GIB };
    expect(monitor.check()).toMatchObject({ state: 'ok', floorBytes: 512 * MIB });
  });

  it('turns failing at a fault, gives back its reserve, and stays failing until a write works', () => {
    const { monitor, reserve, disk, published } = monitorWith({ freeBytes: 30 * GIB, totalBytes: 100 * GIB });
    monitor.check();
    expect(reserve.held).toBe(true);

    disk.writesFail = true;
    monitor.reportFault(FULL);
    expect(reserve.held).toBe(false);
    const failing = monitor.status();
    expect(failing).toMatchObject({ state: 'failing', fault: { kind: 'full', code: 'SQLITE_FULL' } });
    expect(failing.message).toMatch(/is full \(SQLITE_FULL\)\. Free space there/);
    expect(monitor.refusal()).toMatchObject({ code: 'storage_error' });
    expect(monitor.check().state).toBe('failing');

    disk.writesFail = false;
    expect(monitor.check()).toMatchObject({ state: 'ok', fault: null });
    expect(reserve.held).toBe(true);
    expect(published.map((status) => status.state)).toEqual(['ok', 'failing', 'ok']);
  });

  it('after a fault with little space left: low, naming when writes failed; the reserve waits for room', () => {
    const { monitor, reserve, disk } = monitorWith({ freeBytes: 30 * GIB, totalBytes: 100 * GIB });
    monitor.check();
    disk.space = { freeBytes: 3 * MIB, totalBytes: 100 * GIB };
    monitor.reportFault(FULL);
    const low = monitor.check();
    expect(low.state).toBe('low');
    expect(low.message).toMatch(/Writes failed at \d{4}-\d\d-\d\dT.*\(SQLITE_FULL\)\.$/);
    expect(reserve.held).toBe(false);
  });
});
