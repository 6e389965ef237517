import { eq, like, sql } from 'drizzle-orm';
import {
  type AppSettingsDto,
  SETTING_FIELDS,
  SETTINGS_DEFAULTS,
  type SettingFallback,
  settingsSchema,
} from '../../contracts/settings';
import type { DbExecutor } from '../executor';
import { onSqlite, type Plan, preparedRowsOf } from '../plan';
import { preparedPerConnection, preparedPerStore } from '../prepared';
import { appSettings } from '../schema';
import type { Store } from '../store';

// Read on every usage event of a running run (its budgets): prepared once per connection (or
// transaction, which reads through its own).
const settingByKey = preparedPerConnection((db: DbExecutor) =>
  db
    .select({ value: appSettings.value })
    .from(appSettings)
    .where(eq(appSettings.key, sql.placeholder('key')))
    .prepare(),
);

export function getSetting(db: DbExecutor, key: string): unknown {
  return settingByKey(db).get({ key })?.value;
}

export function putSetting(db: DbExecutor, key: string, value: unknown): void {
  const updatedAt = Date.now();
  db.insert(appSettings)
    .values({ key, value, updatedAt })
    .onConflictDoUpdate({ target: appSettings.key, set: { value, updatedAt } })
    .run();
}

/** Each application setting is a row of its own (`app.<field>`): one bad value spoils one setting. */
const APP_PREFIX = 'app.';

// Read on every admission and every run's start: prepared once per connection. The raw text, not
// drizzle's JSON column: a value that is not JSON must not fail the whole read (on Postgres the
// jsonb's text, which JSON.parse reads the same).
const storedAppSettings = preparedPerStore(({ db, t }: Store) =>
  db
    .select({ key: t.appSettings.key, text: sql<string>`cast(${t.appSettings.value} as text)` })
    .from(t.appSettings)
    .where(like(t.appSettings.key, `${APP_PREFIX}%`))
    .prepare(),
);

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
export function* storedAppSettingsOf(store: Store): Plan<StoredAppSettings> {
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

/** `storedAppSettingsOf` for the synchronous callers on SQLite. */
export function readAppSettings(db: DbExecutor): StoredAppSettings {
  return onSqlite(db, storedAppSettingsOf);
}

/** The settings in use, on either dialect (see storedAppSettingsOf). */
export function* appSettingsOf(store: Store): Plan<AppSettingsDto> {
  return (yield* storedAppSettingsOf(store)).settings;
}

/** The log a run may write, in bytes (the setting is in MiB). */
export function runLogCapBytes(db: DbExecutor): number {
  return getAppSettings(db).runLogCapMb * 1024 * 1024;
}

/** The settings in use (see readAppSettings). */
export function getAppSettings(db: DbExecutor): AppSettingsDto {
  return readAppSettings(db).settings;
}

/**
 * Writes the given settings, and only them, in one transaction; the others keep what they had.
 * Each value as JSON text, `null` included (a budget of none), which drizzle's JSON column would
 * write as SQL NULL.
 */
export function updateAppSettings(db: DbExecutor, patch: Partial<AppSettingsDto>): StoredAppSettings {
  const updatedAt = Date.now();
  db.transaction((tx) => {
    for (const [field, value] of Object.entries(patch)) {
      const text = JSON.stringify(value);
      tx.run(
        sql`insert into app_settings (key, value, updated_at) values (${`${APP_PREFIX}${field}`}, ${text}, ${updatedAt})
            on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at`,
      );
    }
  });
  return readAppSettings(db);
}
