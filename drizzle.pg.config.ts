import { defineConfig } from 'drizzle-kit';

/** The Postgres dialect's migrations (docs/scaling.md#postgres); drizzle.config.ts is SQLite's. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/lib/db/schema-pg/index.ts',
  out: './src/lib/db/migrations-pg',
});
