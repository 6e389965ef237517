// The Postgres schema and its migrations on a real throw-away cluster (tests/helpers/postgres.ts).
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { desc, eq, is, sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_MIGRATIONS_FOLDER as MIGRATIONS_FOLDER } from '../../src/lib/db/postgres';
import type { Execution, NewExecution } from '../../src/lib/db/schema';
import * as schema from '../../src/lib/db/schema-pg';
import { type PostgresCluster, startPostgres } from '../helpers/postgres';

const MAX_SAFE_MICROS = Number.MAX_SAFE_INTEGER; // 9,007,199,254,740,991 µ$: $9,007,199,254.74

let cluster: PostgresCluster;
const pools: pg.Pool[] = [];

beforeAll(async () => {
  cluster = await startPostgres();
});

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await cluster.stop();
});

/** A new database on the cluster, the drizzle handle on it and its raw pool. */
async function database(name: string): Promise<{ db: NodePgDatabase<typeof schema>; pool: pg.Pool }> {
  const pool = new pg.Pool({ connectionString: await cluster.createDatabase(name), max: 2 });
  pools.push(pool);
  return { db: drizzle(pool, { schema }), pool };
}

/** A new database with the migrations applied, and an agent to hang runs on. */
async function migratedWithAgent(name: string) {
  const { db, pool } = await database(name);
  await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  const [agent] = await db
    .insert(schema.agentConfigurations)
    .values({ name: 'agent', model: 'claude-sonnet-4-5', defaultPrompt: 'Go.', createdAt: 0, updatedAt: 0 })
    .returning({ id: schema.agentConfigurations.id });
  const run = (fields: Partial<Execution>): NewExecution => ({
    agentId: agent?.id ?? 0,
    trigger: 'manual',
    status: 'completed',
    prompt: 'Go.',
    model: 'claude-sonnet-4-5',
    createdAt: Date.UTC(2026, 10, 30),
    ...fields,
  });
  return { db, pool, run };
}

const tables = Object.values(schema as Record<string, unknown>).filter((value): value is PgTable =>
  is(value, PgTable),
);

/**
 * The name of a table's primary key: drizzle's for a composite one, Postgres' own for a column's;
 * none for the two summary tables, which have a unique key only (SQLite gives them a rowid).
 */
function primaryKeyName(config: ReturnType<typeof getTableConfig>): string[] {
  if (config.primaryKeys[0]) return [config.primaryKeys[0].getName()];
  return config.columns.some((column) => column.primary) ? [`${config.name}_pkey`] : [];
}

/** What the database says its tables, columns, indexes and constraints are. */
async function catalogue(pool: pg.Pool) {
  const query = async (sql: string) => (await pool.query(sql)).rows;
  return {
    columns: await query(`select table_name, column_name, data_type, is_nullable, column_default
      from information_schema.columns where table_schema = 'public' order by table_name, column_name`),
    indexes: await query(`select tablename, indexname, indexdef from pg_indexes
      where schemaname = 'public' order by tablename, indexname`),
    constraints: await query(`select table_name, constraint_name, constraint_type
      from information_schema.table_constraints where table_schema = 'public' and constraint_type <> 'CHECK'
      union all select rel.relname, con.conname, 'CHECK' from pg_constraint con
      join pg_class rel on rel.oid = con.conrelid join pg_namespace ns on ns.oid = rel.relnamespace
      where ns.nspname = 'public' and con.contype = 'c' order by 1, 2`),
  };
}

describe('the Postgres migrations', () => {
  it('apply to an empty database, and a second run changes nothing', async () => {
    const { db, pool } = await database('migrate_twice');
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    const first = await catalogue(pool);
    const applied = await pool.query('select hash from drizzle.__drizzle_migrations');

    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });

    expect(await catalogue(pool)).toEqual(first);
    expect((await pool.query('select hash from drizzle.__drizzle_migrations')).rows).toEqual(applied.rows);
    const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8'));
    expect(applied.rows).toHaveLength(journal.entries.length);
  });

  it('make the tables, columns, indexes and constraints the drizzle schema declares', async () => {
    const { db, pool } = await database('catalogue');
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    const { columns, indexes, constraints } = await catalogue(pool);

    const declaredColumns = tables.flatMap((table) => {
      const config = getTableConfig(table);
      return config.columns.map((column) => ({
        table_name: config.name,
        column_name: column.name,
        data_type: column.getSQLType(),
        is_nullable: column.notNull ? 'NO' : 'YES',
      }));
    });
    const sortKey = (row: { table_name: string; column_name: string }) =>
      `${row.table_name}.${row.column_name}`;
    expect(
      columns
        .map(({ column_default: _, ...column }) => column)
        .sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
    ).toEqual(declaredColumns.sort((a, b) => sortKey(a).localeCompare(sortKey(b))));

    // Names as declared: none cut to 63 bytes, none added or left out by the SQL.
    const declaredIndexes = tables.flatMap((table) => {
      const config = getTableConfig(table);
      return [...primaryKeyName(config), ...config.indexes.map((index) => index.config.name)].map(
        (name) => `${config.name} ${name}`,
      );
    });
    expect(indexes.map((row) => `${row.tablename} ${row.indexname}`).sort()).toEqual(declaredIndexes.sort());
    const declaredConstraints = tables.flatMap((table) => {
      const config = getTableConfig(table);
      return [
        ...primaryKeyName(config).map((name) => `${config.name} ${name} PRIMARY KEY`),
        ...config.foreignKeys.map((fk) => `${config.name} ${fk.getName()} FOREIGN KEY`),
        ...config.checks.map((check) => `${config.name} ${check.name} CHECK`),
      ];
    });
    expect(
      constraints.map((row) => `${row.table_name} ${row.constraint_name} ${row.constraint_type}`).sort(),
    ).toEqual(declaredConstraints.sort());
  });

  it('keep money exact: 1 µ$ and 9,007,199,254,740,991 µ$ read back as written', async () => {
    const { db, pool, run } = await migratedWithAgent('money');
    const [cheap, dear] = await db
      .insert(schema.executions)
      .values([run({ costMicros: 1 }), run({ costMicros: MAX_SAFE_MICROS })])
      .returning();

    const read = async (id = 0) =>
      (await db.select().from(schema.executions).where(eq(schema.executions.id, id)))[0]?.costMicros;
    expect(await read(cheap?.id)).toBe(1);
    expect(await read(dear?.id)).toBe(9_007_199_254_740_991);
    const stored = await pool.query('select cost_micros::text as micros from executions order by id');
    expect(stored.rows).toEqual([{ micros: '1' }, { micros: '9007199254740991' }]);
    expect(
      (
        await pool.query(
          "select data_type from information_schema.columns where column_name = 'cost_micros' and table_name = 'executions'",
        )
      ).rows,
    ).toEqual([{ data_type: 'bigint' }]);
  });
});

describe('the expressions the Postgres indexes are built on', () => {
  it('give the UTC month SQLite gives, whatever the session time zone, and the indexes answer queries written with them', async () => {
    const { db, pool, run } = await migratedWithAgent('expressions');
    const instants = [
      Date.UTC(2026, 10, 30, 23, 59, 59, 999),
      Date.UTC(2026, 11, 1),
      Date.UTC(1999, 0, 5, 12),
    ];
    await db.insert(schema.executions).values(
      instants.map((createdAt, i) =>
        run({
          createdAt,
          prompt: `Summarize the nightly backup report ${i}`,
          resultText: i === 0 ? 'All volumes verified' : null,
        }),
      ),
    );
    const sqlite = new Database(':memory:');
    const sqliteMonth = sqlite.prepare("select strftime('%Y-%m', ? / 1000, 'unixepoch') as month").pluck();
    const month = schema.executionMonth(schema.executions.createdAt);

    await db.transaction(async (tx) => {
      await tx.execute(sql`set local time zone 'Pacific/Kiritimati'`);
      const months = await tx
        .select({ createdAt: schema.executions.createdAt, month })
        .from(schema.executions)
        .orderBy(schema.executions.id);
      expect(months).toEqual(instants.map((createdAt) => ({ createdAt, month: sqliteMonth.get(createdAt) })));
      expect(months.map((row) => row.month)).toEqual(['2026-11', '2026-12', '1999-01']);
    });

    // With sequential scans priced out, the plan names the index only if the expressions match it.
    const plan = async (query: { toSQL(): { sql: string; params: unknown[] } }) => {
      const { sql: text, params } = query.toSQL();
      const client = await pool.connect();
      try {
        await client.query('set enable_seqscan = off');
        return (await client.query(`explain ${text}`, params)).rows
          .map((row) => row['QUERY PLAN'])
          .join('\n');
      } finally {
        await client.query('reset enable_seqscan');
        client.release();
      }
    };
    const topOfMonth = db
      .select({ id: schema.executions.id })
      .from(schema.executions)
      .where(eq(month, '2026-11'))
      .orderBy(desc(schema.executions.costMicros))
      .limit(10);
    expect(await plan(topOfMonth)).toContain('executions_by_month_cost');
    const search = (words: string) =>
      db
        .select({ id: schema.executions.id })
        .from(schema.executions)
        .where(
          sql`${schema.executionSearchVector(schema.executions.prompt, schema.executions.resultText)} @@ to_tsquery('simple', ${words})`,
        );
    expect(await plan(search('backup & verified'))).toContain('executions_fts');
    expect(await search('backup & verified')).toHaveLength(1);
    expect(await search('nightly')).toHaveLength(3);
  });
});
