import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/lib/db';
import { startCheckpointer } from '../../src/lib/db/checkpointer';
import { createTestDb } from '../helpers/testDb';

const ROWS = 600;
const ROW_BYTES = 4_000;

let handle: DbHandle;
afterEach(() => {
  if (handle.sqlite.open) handle.sqlite.close();
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** About 2.4 MB in 600 commits: far fewer WAL pages than the main connection's own threshold. */
function writeRows(): void {
  handle.sqlite.exec('create table payloads (body blob)');
  const insert = handle.sqlite.prepare('insert into payloads (body) values (?)');
  for (let i = 0; i < ROWS; i++) insert.run(Buffer.alloc(ROW_BYTES, i % 251));
}

describe('the WAL checkpointer', () => {
  it('copies committed pages into the database file from its own connection, not in the commits', async () => {
    handle = createTestDb();
    const checkpointer = startCheckpointer(handle, { intervalMs: 50 });
    // The main connection would only checkpoint past 10,000 pages (40 MB), so it never does here.
    expect(handle.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    const before = fs.statSync(handle.path).size;
    writeRows();
    await until(() => fs.statSync(handle.path).size >= before + ROWS * ROW_BYTES);
    await checkpointer.stop();
  });

  it('has let go of the file once stopped, so closing the main connection removes the WAL', async () => {
    handle = createTestDb();
    const checkpointer = startCheckpointer(handle, { intervalMs: 50 });
    writeRows();
    await checkpointer.stop();
    expect(fs.existsSync(`${handle.path}-wal`)).toBe(true);
    handle.sqlite.close();
    expect(fs.existsSync(`${handle.path}-wal`)).toBe(false);
    expect(fs.statSync(handle.path).size).toBeGreaterThanOrEqual(ROWS * ROW_BYTES);
  });

  it('reports a connection it cannot open, and leaves checkpoints to the main connection again', async () => {
    handle = createTestDb();
    const errors: string[] = [];
    const missing = { ...handle, path: path.join(path.dirname(handle.path), 'missing.db') };
    const checkpointer = startCheckpointer(missing, { onError: (message) => errors.push(message) });
    await until(() => errors.length >= 2);
    expect(errors[0]).toMatch(/unable to open|does not exist/i);
    expect(errors[1]).toMatch(/checkpoint worker ended/);
    expect(handle.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1_000);
    await checkpointer.stop();
  });
});
