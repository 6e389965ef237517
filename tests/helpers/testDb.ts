import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type DbHandle, openDatabase } from '../../src/lib/db';
import { applyMigrations } from '../../src/lib/db/migrate';

/** A real SQLite file in a temp dir with the committed migrations applied. */
export function createTestDb(): DbHandle {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-unit-'));
  const handle = openDatabase(path.join(dir, 'test.db'));
  applyMigrations(handle);
  return handle;
}
