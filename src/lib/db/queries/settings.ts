import { eq, like, sql } from 'drizzle-orm';
import {
  type AppSettingsDto,
  SETTING_FIELDS,
  SETTINGS_DEFAULTS,
  type SettingFallback,
  settingsSchema,
} from '../../contracts/settings';
import { changesOf, type Plan, preparedRowsOf } from '../plan';
import { preparedPerStore } from '../prepared';
import type { Store } from '../store';

// Dialect-neutral plans (see plan.ts). The two reads on hot paths are prepared once per connection
// (or transaction, which reads through its own): drizzle composing their SQL would cost more than
// SQLite's answer.

/** Each application setting is a row of its own (`app.<field>`): one bad value spoils one setting. */
const APP_PREFIX = 'app.';

// Read on every authenticated request (the token's hash).
const settingByKey = preparedPerStore(({ db, t }: Store) =>
  db
    .select({ value: t.appSettings.value })
    .from(t.appSettings)
    .where(eq(t.appSettings.key, sql.placeholder('key')))
    .prepare(),
);

// Read on every admission pump, usage event and run's start. The raw text, not drizzle's JSON
// column: a value that is not JSON must not fail the whole read (on Postgres the jsonb's text,
// which JSON.parse reads the same).
const storedAppSettings = preparedPerStore(({ db, t }: Store) =>
  db
    .select({ key: t.appSettings.key, text: sql<string>`cast(${t.appSettings.value} as text)` })
    .from(t.appSettings)
    .where(like(t.appSettings.key, `${APP_PREFIX}%`))
    .prepare(),
);

export function* getSetting(store: Store, key: string): Plan<unknown> {
  const rows = yield* preparedRowsOf(settingByKey(store), { key });
  return rows[0]?.value;
}

export function* putSetting({ db, t }: Store, key: string, value: unknown): Plan<void> {
  const updatedAt = Date.now();
  yield* changesOf(
    db
      .insert(t.appSettings)
      .values({ key, value, updatedAt })
      .onConflictDoUpdate({ target: t.appSettings.key, set: { value, updatedAt } }),
  );
}

/** The settings in use, and every stored value that could not be used, with what is used instead. */
export interface StoredAppSettings {
  settings: AppSettingsDto;
  fallbacks: SettingFallback[];
}

/** A stored value against its field's rule: the value, or why it cannot be used. */
function readField(field: keyof AppSettingsDto, text: string): { value: unknown } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'Not readable (not JSON: written by hand, or cut short)' };
  }
  const parsed = settingsSchema.shape[field].safeParse(value);
  return parsed.success ? { value: parsed.data } : { problem: parsed.error.issues[0]?.message ?? 'Invalid' };
}

/**
 * The settings, field by field: a value never set is its default; a stored value that breaks its
 * rule (out of range, the wrong type, unreadable) falls back to the default for that field alone,
 * and is reported, never silently dropped, nor overwritten until someone sets that field.
 */
export function* readAppSettings(store: Store): Plan<StoredAppSettings> {
  const rows = yield* preparedRowsOf(storedAppSettings(store), {});
  const stored = new Map(rows.map(({ key, text }) => [key.slice(APP_PREFIX.length), text]));
  const settings: Record<string, unknown> = { ...SETTINGS_DEFAULTS };
  const fallbacks: SettingFallback[] = [];
  for (const field of SETTING_FIELDS) {
    const text = stored.get(field);
    if (text === undefined) continue;
    const read = readField(field, text);
    if ('value' in read) settings[field] = read.value;
    else fallbacks.push({ field, stored: text, used: SETTINGS_DEFAULTS[field], problem: read.problem });
  }
  return { settings: settings as AppSettingsDto, fallbacks };
}

/** The log a run may write, in bytes (the setting is in MiB). */
export function* runLogCapBytes(store: Store): Plan<number> {
  return (yield* getAppSettings(store)).runLogCapMb * 1024 * 1024;
}

/** The settings in use (see readAppSettings). */
export function* getAppSettings(store: Store): Plan<AppSettingsDto> {
  return (yield* readAppSettings(store)).settings;
}

/**
 * Writes the given settings, and only them, in one statement; the others keep what they had. Each
 * value as JSON text, `null` included (a budget of none), which drizzle's JSON column would write
 * as SQL NULL (Postgres reads the text as jsonb).
 */
export function* updateAppSettings(store: Store, patch: Partial<AppSettingsDto>): Plan<StoredAppSettings> {
  const { db, t } = store;
  const updatedAt = Date.now();
  const rows = Object.entries(patch).map(([field, value]) => ({
    key: `${APP_PREFIX}${field}`,
    value: sql`${JSON.stringify(value)}`,
    updatedAt,
  }));
  if (rows.length > 0)
    yield* changesOf(
      db
        .insert(t.appSettings)
        .values(rows)
        .onConflictDoUpdate({
          target: t.appSettings.key,
          set: { value: sql`excluded.value`, updatedAt: sql`excluded.updated_at` },
        }),
    );
  return yield* readAppSettings(store);
}
