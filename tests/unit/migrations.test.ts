import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { type DbHandle, openDatabase } from '../../src/lib/db';
import { applyMigrations, MIGRATIONS_FOLDER } from '../../src/lib/db/migrate';

let handle: DbHandle | undefined;
afterEach(() => handle?.sqlite.close());

/** A copy of the committed migrations up to (not including) the file whose name starts with `before`. */
function migrationsBefore(before: string): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-migrations-'));
  fs.cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = path.join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  journal.entries = journal.entries.filter((entry) => entry.tag < before);
  fs.writeFileSync(journalPath, JSON.stringify(journal));
  return folder;
}

describe('upgrading a database', () => {
  it('the rebuild of schedules (a workflow target) keeps the schedule, its firings and its runs', () => {
    handle = openDatabase(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-upgrade-')), 'old.db'));
    migrate(handle.db, { migrationsFolder: migrationsBefore('0010') });
    handle.sqlite.exec(`
      insert into agent_configurations (id, name, model, default_prompt, created_at, updated_at)
        values (1, 'reporter', 'claude-sonnet-4-5', 'Report.', 0, 0);
      insert into schedules (id, agent_id, cron_expression, created_at, updated_at)
        values (7, 1, '0 9 * * *', 0, 0);
      insert into executions (id, agent_id, schedule_id, trigger, status, prompt, model, created_at)
        values (12, 1, 7, 'schedule', 'completed', 'Report.', 'claude-sonnet-4-5', 0);
      insert into schedule_firings (schedule_id, scheduled_for, fire_at, outcome, execution_id, reason, created_at)
        values (7, 0, 0, 'started', 12, 'Started run #12', 0);
    `);

    applyMigrations(handle);

    const { sqlite } = handle;
    expect(sqlite.prepare('select id, agent_id, workflow_id from schedules').all()).toEqual([
      { id: 7, agent_id: 1, workflow_id: null },
    ]);
    expect(sqlite.prepare('select schedule_id, execution_id from schedule_firings').all()).toEqual([
      { schedule_id: 7, execution_id: 12 },
    ]);
    expect(sqlite.prepare('select schedule_id from executions').all()).toEqual([{ schedule_id: 7 }]);
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    // The rebuilt table keeps its check: exactly one target.
    expect(() =>
      sqlite.exec(`insert into schedules (cron_expression, created_at, updated_at) values ('@daily', 0, 0)`),
    ).toThrow(/CHECK constraint failed: schedules_one_target/);
  });
});
