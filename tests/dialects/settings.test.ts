import { eq, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { SETTINGS_DEFAULTS } from '../../src/lib/contracts/settings';
import { execute, firstOf } from '../../src/lib/db/plan';
import {
  getAppSettings,
  getSetting,
  putSetting,
  readAppSettings,
  updateAppSettings,
} from '../../src/lib/db/queries/settings';
import type { Store } from '../../src/lib/db/store';
import { describeOnEachDialect } from '../helpers/stores';

// The settings queries on both dialects. A value that is not JSON at all can only be stored in
// SQLite's text column (Postgres' jsonb refuses it): that case stays in tests/unit/settings.test.ts.

/** Writes a settings row as a person (or an older version) would: its JSON text, straight into the table. */
async function storeRaw({ db, t }: Store, key: string, text: string): Promise<void> {
  await db
    .insert(t.appSettings)
    .values({ key, value: sql`${text}`, updatedAt: 0 })
    .onConflictDoUpdate({ target: t.appSettings.key, set: { value: sql`excluded.value` } });
}

/** A stored value as JSON text, as both dialects keep it. */
async function rawText(store: Store, key: string): Promise<string | undefined> {
  const { db, t } = store;
  const row = await execute(
    store,
    firstOf(
      db
        .select({ text: sql<string>`cast(${t.appSettings.value} as text)` })
        .from(t.appSettings)
        .where(eq(t.appSettings.key, key)),
    ),
  );
  return row?.text;
}

describeOnEachDialect('settings, field by field', (store) => {
  it('a bad stored value falls back for that field alone, saying what is stored and what is used', async () => {
    await execute(store(), updateAppSettings(store(), { monthlyBudgetUsd: 100, maxConcurrentRuns: 4 }));
    await storeRaw(store(), 'app.maxConcurrentRuns', '500');
    await storeRaw(store(), 'app.hostLoadPerCore', '"two"');

    const { settings, fallbacks } = await execute(store(), readAppSettings(store()));
    expect(settings.monthlyBudgetUsd).toBe(100);
    expect(settings.maxConcurrentRuns).toBe(SETTINGS_DEFAULTS.maxConcurrentRuns);
    expect(fallbacks).toEqual([
      { field: 'maxConcurrentRuns', stored: '500', used: 2, problem: 'At most 50' },
      {
        field: 'hostLoadPerCore',
        stored: '"two"',
        used: 2,
        problem: 'Invalid input: expected number, received string',
      },
    ]);
    // The settings in use are the same read.
    expect(await execute(store(), getAppSettings(store()))).toEqual(settings);
  });

  it('a PATCH writes only the fields it names: a bad neighbour stays visible, not overwritten by its default', async () => {
    await storeRaw(store(), 'app.maxConcurrentRuns', '4');
    await storeRaw(store(), 'app.hostLoadPerCore', '3');
    await storeRaw(store(), 'app.monthlyBudgetUsd', '-3');
    const after = await execute(store(), updateAppSettings(store(), { maxConcurrentRuns: 7 }));
    expect(after.settings.maxConcurrentRuns).toBe(7);
    expect(after.fallbacks).toEqual([
      {
        field: 'monthlyBudgetUsd',
        stored: '-3',
        used: null,
        problem: 'Must be more than 0, or null for no budget',
      },
    ]);
    expect(await rawText(store(), 'app.monthlyBudgetUsd')).toBe('-3');
    expect((await execute(store(), updateAppSettings(store(), { monthlyBudgetUsd: 50 }))).fallbacks).toEqual(
      [],
    );
    // None (null) is a value too: stored (as JSON null, not SQL NULL), and read back as none.
    expect(
      await execute(
        store(),
        updateAppSettings(store(), { monthlyBudgetUsd: null, runOutputRetentionDays: null }),
      ),
    ).toMatchObject({
      settings: { monthlyBudgetUsd: null, runOutputRetentionDays: null },
      fallbacks: [],
    });
    expect(await rawText(store(), 'app.monthlyBudgetUsd')).toBe('null');
  });

  it('keeps a plain setting as JSON: written, replaced, read back; a missing one is undefined', async () => {
    expect(await execute(store(), getSetting(store(), 'auth.tokenHash'))).toBeUndefined();
    await execute(store(), putSetting(store(), 'auth.tokenHash', 'sha256:abc'));
    expect(await execute(store(), getSetting(store(), 'auth.tokenHash'))).toBe('sha256:abc');
    await execute(store(), putSetting(store(), 'auth.tokenHash', { rotated: [1, 2] }));
    expect(await execute(store(), getSetting(store(), 'auth.tokenHash'))).toEqual({ rotated: [1, 2] });
  });
});
