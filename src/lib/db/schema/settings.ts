import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Key/value application settings; values are JSON, parsed by the code that owns each key. */
export const appSettings = sqliteTable('app_settings', {
  key: text('key').primaryKey(),
  value: text('value', { mode: 'json' }).$type<unknown>().notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export type AppSetting = typeof appSettings.$inferSelect;
