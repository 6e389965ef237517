import { eq, sql } from 'drizzle-orm';
import { type AppSettingsDto, SETTINGS_DEFAULTS, settingsSchema } from '../../contracts/settings';
import type { DbExecutor } from '../executor';
import type { Db } from '../index';
import { preparedPerConnection } from '../prepared';
import { appSettings } from '../schema';

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

export function putSetting(db: Db, key: string, value: unknown): void {
  const updatedAt = Date.now();
  db.insert(appSettings)
    .values({ key, value, updatedAt })
    .onConflictDoUpdate({ target: appSettings.key, set: { value, updatedAt } })
    .run();
}

const APP_SETTINGS_KEY = 'app';

/** The settings, with defaults for anything never set (or stored in an older shape). */
export function getAppSettings(db: DbExecutor): AppSettingsDto {
  const stored = settingsSchema.partial().safeParse(getSetting(db, APP_SETTINGS_KEY));
  return { ...SETTINGS_DEFAULTS, ...(stored.success ? stored.data : {}) };
}

export function updateAppSettings(db: Db, patch: Partial<AppSettingsDto>): AppSettingsDto {
  const next = { ...getAppSettings(db), ...patch };
  putSetting(db, APP_SETTINGS_KEY, next);
  return next;
}
