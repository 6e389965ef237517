import { eq } from 'drizzle-orm';
import type { Db } from '../index';
import { appSettings } from '../schema';

export function getSetting(db: Db, key: string): unknown {
  return db.select({ value: appSettings.value }).from(appSettings).where(eq(appSettings.key, key)).get()
    ?.value;
}

export function putSetting(db: Db, key: string, value: unknown): void {
  const updatedAt = Date.now();
  db.insert(appSettings)
    .values({ key, value, updatedAt })
    .onConflictDoUpdate({ target: appSettings.key, set: { value, updatedAt } })
    .run();
}
