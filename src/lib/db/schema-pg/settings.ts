import { jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { int64 } from './columns';

/** ../schema/settings.ts in Postgres. */
export const appSettings = pgTable('app_settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').$type<unknown>().notNull(),
  updatedAt: int64('updated_at').notNull(),
});
