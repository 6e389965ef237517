import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { SETTINGS_DEFAULTS } from '../../src/lib/contracts/settings';
import { type DbHandle, openDatabase } from '../../src/lib/db';
import { applyMigrations, MIGRATIONS_FOLDER } from '../../src/lib/db/migrate';
import { runOnSqlite } from '../../src/lib/db/plan';
import { readAppSettings, updateAppSettings } from '../../src/lib/db/queries/settings';
import { sqliteStore } from '../../src/lib/db/store';
import { createTestDb } from '../helpers/testDb';

let handle: DbHandle | undefined;
afterEach(() => handle?.sqlite.close());

/** Writes a settings row as a person (or an older version) would: straight into the table. */
function storeRaw(db: DbHandle, key: string, text: string): void {
  db.sqlite
    .prepare(
      'insert into app_settings (key, value, updated_at) values (?, ?, 0) on conflict (key) do update set value = excluded.value',
    )
    .run(key, text);
}

describe('settings, field by field', () => {
  it('a stored value that is not JSON at all (only SQLite can hold one) falls back for that field alone', () => {
    // The other fallbacks and the PATCH run on both dialects: tests/dialects/settings.test.ts.
    handle = createTestDb();
    runOnSqlite(updateAppSettings(sqliteStore(handle.db), { monthlyBudgetUsd: 100 }));
    storeRaw(handle, 'app.circuitBreakerThreshold', '{"half-writ');

    const { settings, fallbacks } = runOnSqlite(readAppSettings(sqliteStore(handle.db)));
    expect(settings.monthlyBudgetUsd).toBe(100);
    expect(settings.circuitBreakerThreshold).toBe(SETTINGS_DEFAULTS.circuitBreakerThreshold);
    expect(fallbacks).toEqual([
      {
        field: 'circuitBreakerThreshold',
        stored: '{"half-writ',
        used: 5,
        problem: 'Not readable (not JSON: written by hand, or cut short)',
      },
    ]);
  });

  it('the upgrade splits the old single settings object into one row per setting', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-migrations-'));
    fs.cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
    const journalPath = path.join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
    journal.entries = journal.entries.filter((entry) => entry.tag < '0015');
    fs.writeFileSync(journalPath, JSON.stringify(journal));
    handle = openDatabase(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-upgrade-')), 'old.db'));
    migrate(handle.db, { migrationsFolder: folder });
    storeRaw(
      handle,
      'app',
      JSON.stringify({ monthlyBudgetUsd: 100, maxConcurrentRuns: 3, circuitBreakerThreshold: 999 }),
    );

    applyMigrations(handle);

    const { settings, fallbacks } = runOnSqlite(readAppSettings(sqliteStore(handle.db)));
    expect(settings).toMatchObject({ monthlyBudgetUsd: 100, maxConcurrentRuns: 3 });
    expect(fallbacks).toEqual([
      {
        field: 'circuitBreakerThreshold',
        stored: '999',
        used: 5,
        problem: 'At most 100',
      },
    ]);
    expect(handle.sqlite.prepare("select count(*) as n from app_settings where key = 'app'").get()).toEqual({
      n: 0,
    });
  });
});
