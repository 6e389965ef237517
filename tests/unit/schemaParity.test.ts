// The Postgres schema (src/lib/db/schema-pg) is the SQLite one (src/lib/db/schema) in another
// dialect: same tables, columns, keys and indexes, the same row types, and each dialect's
// migrations say what its schema says. A change to one schema alone fails here.
import fs from 'node:fs';
import path from 'node:path';
import {
  generateDrizzleJson,
  generateMigration,
  generateSQLiteDrizzleJson,
  generateSQLiteMigration,
} from 'drizzle-kit/api';
import { type Column, is, SQL, type Table } from 'drizzle-orm';
import { PgTable, getTableConfig as pgTableConfig } from 'drizzle-orm/pg-core';
import { SQLiteTable, getTableConfig as sqliteTableConfig } from 'drizzle-orm/sqlite-core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as sqlite from '../../src/lib/db/schema';
import * as pg from '../../src/lib/db/schema-pg';

/**
 * SQLite's search index bookkeeping: FTS5 is filled in batches behind this watermark, where
 * Postgres' GIN index on the executions table follows every write (schema-pg/executions.ts).
 */
const SQLITE_ONLY_TABLES = ['executionsSearchWatermark'] as const;
/** The Runs page search: SQLite's is the `executions_fts` FTS5 table its migrations create. */
const PG_ONLY_INDEXES = ['executions_fts'];

/** The Postgres type each SQLite column kind is stored as (drizzle's column types). */
const PG_TYPE_OF: Record<string, string> = {
  SQLiteInteger: 'bigint',
  SQLiteBoolean: 'boolean',
  SQLiteText: 'text',
  SQLiteTextJson: 'jsonb',
  SQLiteReal: 'double precision',
  SQLiteBlobBuffer: 'bytea',
};

type Tables<S> = { [K in keyof S as S[K] extends Table ? K : never]: S[K] };
type Rows<S> = {
  [K in keyof Tables<S>]: Tables<S>[K] extends Table
    ? { select: Tables<S>[K]['$inferSelect']; insert: Tables<S>[K]['$inferInsert'] }
    : never;
};

/** A schema module's tables by export name (its other exports are helpers and constants). */
function tablesOf<T>(schema: object, isTable: (value: unknown) => value is T): Map<string, T> {
  const tables = new Map<string, T>();
  for (const [name, value] of Object.entries(schema) as [string, unknown][]) {
    if (isTable(value)) tables.set(name, value);
  }
  return tables;
}
const sqliteTables = tablesOf(sqlite, (value): value is SQLiteTable => is(value, SQLiteTable));
const pgTables = tablesOf(pg, (value): value is PgTable => is(value, PgTable));

/** A column's default as a value: SQLite's JSON defaults are SQL text (`'[]'`), Postgres' are values. */
function defaultValue(column: Column): unknown {
  const value = column.default;
  if (!is(value, SQL)) return value;
  const text = value.queryChunks
    .map((chunk) => (chunk as { value?: string[] }).value?.join('') ?? '')
    .join('')
    .replace(/^'(.*)'$/s, '$1');
  return JSON.parse(text);
}

const describeColumn = (column: Column) => ({
  notNull: column.notNull,
  primary: column.primary,
  hasDefault: column.hasDefault,
  default: defaultValue(column),
});
type IndexConfig = { name: string; unique: boolean; columns: unknown[]; where?: SQL };
const describeIndex = ({ name, unique, columns, where }: IndexConfig) => ({
  name,
  unique,
  columns: columns.map((column) => (is(column, SQL) ? '(expression)' : (column as Column).name)),
  partial: where !== undefined,
});
type ForeignKey = {
  onDelete?: string;
  reference(): { columns: Column[]; foreignColumns: Column[]; foreignTable: Table };
};
const describeForeignKey = (fk: ForeignKey, tableName: (table: Table) => string) => {
  const { columns, foreignColumns, foreignTable } = fk.reference();
  return `(${columns.map((c) => c.name)}) → ${tableName(foreignTable)}(${foreignColumns.map((c) => c.name)}) on delete ${fk.onDelete}`;
};
const byName = <T extends { name: string }>(items: T[]) => items.sort((a, b) => a.name.localeCompare(b.name));

describe('the Postgres schema mirrors the SQLite schema', () => {
  it('has the same row types for every table (checked by tsc: `npm run typecheck`)', () => {
    expectTypeOf<Rows<typeof pg>>().toEqualTypeOf<
      Omit<Rows<typeof sqlite>, (typeof SQLITE_ONLY_TABLES)[number]>
    >();
  });

  it('has the same tables under the same export names', () => {
    const expected = [...sqliteTables.keys()].filter((name) => !SQLITE_ONLY_TABLES.includes(name as never));
    expect([...pgTables.keys()].sort()).toEqual(expected.sort());
    for (const [name, table] of pgTables) {
      expect(pgTableConfig(table).name, name).toBe(
        sqliteTableConfig(sqliteTables.get(name) as SQLiteTable).name,
      );
    }
  });

  describe.each([...pgTables.keys()])('%s', (name) => {
    const sqliteConfig = sqliteTableConfig(sqliteTables.get(name) as SQLiteTable);
    const pgConfig = pgTableConfig(pgTables.get(name) as PgTable);

    it('has the same columns: names, nullability, primary key, defaults, and each stored as its Postgres counterpart', () => {
      const expected = Object.fromEntries(sqliteConfig.columns.map((c) => [c.name, describeColumn(c)]));
      const actual = Object.fromEntries(pgConfig.columns.map((c) => [c.name, describeColumn(c)]));
      expect(actual).toEqual(expected);
      for (const column of sqliteConfig.columns) {
        const pgType = PG_TYPE_OF[column.columnType];
        expect(
          pgType,
          `no Postgres counterpart known for ${column.columnType}: add one to PG_TYPE_OF`,
        ).toBeDefined();
        const pgColumn = pgConfig.columns.find((c) => c.name === column.name);
        expect(pgColumn?.getSQLType(), `${sqliteConfig.name}.${column.name}`).toBe(pgType);
      }
    });

    it('has the same composite primary key, foreign keys and checks', () => {
      const keys = (config: { primaryKeys: { columns: Column[] }[] }) =>
        config.primaryKeys.map((key) => key.columns.map((c) => c.name));
      expect(keys(pgConfig)).toEqual(keys(sqliteConfig));
      const sqliteName = (table: Table) => sqliteTableConfig(table as SQLiteTable).name;
      const pgName = (table: Table) => pgTableConfig(table as PgTable).name;
      expect(pgConfig.foreignKeys.map((fk) => describeForeignKey(fk, pgName)).sort()).toEqual(
        sqliteConfig.foreignKeys.map((fk) => describeForeignKey(fk, sqliteName)).sort(),
      );
      expect(pgConfig.checks.map((c) => c.name)).toEqual(sqliteConfig.checks.map((c) => c.name));
    });

    it('has the same indexes: names, uniqueness, columns, partial or not', () => {
      const pgIndexes = pgConfig.indexes.filter(
        (index) => !PG_ONLY_INDEXES.includes(index.config.name ?? ''),
      );
      expect(byName(pgIndexes.map((index) => describeIndex(index.config as IndexConfig)))).toEqual(
        byName(sqliteConfig.indexes.map((index) => describeIndex(index.config))),
      );
    });
  });

  it('keeps money in bigint micro-dollars, and every name within Postgres’ 63-byte identifiers', () => {
    const moneyColumns = [...pgTables.values()].flatMap((table) =>
      pgTableConfig(table)
        .columns.filter((column) => column.name.endsWith('_micros'))
        .map((column) => [`${pgTableConfig(table).name}.${column.name}`, column.getSQLType()]),
    );
    expect(moneyColumns.length).toBeGreaterThan(10);
    for (const [column, type] of moneyColumns) expect(type, column).toBe('bigint');

    const names = [...pgTables.values()].flatMap((table) => {
      const config = pgTableConfig(table);
      return [
        config.name,
        ...config.columns.map((c) => c.name),
        ...config.indexes.map((i) => i.config.name ?? ''),
        ...config.foreignKeys.map((fk) => fk.getName()),
        ...config.primaryKeys.map((key) => key.getName()),
        ...config.checks.map((c) => c.name),
      ];
    });
    expect(names.filter((name) => Buffer.byteLength(name) > 63)).toEqual([]);
  });
});

/** The snapshot drizzle-kit wrote with a folder's newest migration. */
function newestSnapshot(folder: string) {
  const journal = JSON.parse(fs.readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as {
    entries: { idx: number }[];
  };
  const idx = String(journal.entries.at(-1)?.idx).padStart(4, '0');
  return JSON.parse(fs.readFileSync(path.join(folder, 'meta', `${idx}_snapshot.json`), 'utf8'));
}

/** drizzle-kit asks about renames on a terminal; here that means a migration is missing too. */
const pendingChanges = (diff: Promise<string[]>) =>
  diff.catch((error: Error) => [`a change drizzle-kit must ask about (a rename?): ${error.message}`]);

describe('each dialect’s migrations are generated from its schema now', () => {
  it('SQLite: `npm run db:generate` has nothing to add', async () => {
    const previous = newestSnapshot('src/lib/db/migrations');
    const current = await generateSQLiteDrizzleJson(sqlite, previous.id);
    expect(
      await pendingChanges(generateSQLiteMigration(previous, current)),
      'run npm run db:generate',
    ).toEqual([]);
  });

  it('Postgres: `npm run db:generate:pg` has nothing to add', async () => {
    const previous = newestSnapshot('src/lib/db/migrations-pg');
    const current = generateDrizzleJson(pg, previous.id);
    expect(await pendingChanges(generateMigration(previous, current)), 'run npm run db:generate:pg').toEqual(
      [],
    );
  });
});
