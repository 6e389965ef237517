// The text of docs/data-model.md, read from the Drizzle schema itself (tables, columns, keys, indexes)
// and from the doc comments in src/lib/db/schema/*.ts (each table's purpose, a column's note), so the
// document cannot drift from the schema: a unit test compares it with the committed file.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { is, SQL } from 'drizzle-orm';
import { getTableConfig, type SQLiteColumn, SQLiteSyncDialect, SQLiteTable } from 'drizzle-orm/sqlite-core';
import ts from 'typescript';
import * as schema from '../src/lib/db/schema';
import { markdownTable } from './markdownTable';

export const DATA_MODEL_DOC = 'docs/data-model.md';
const SCHEMA_DIR = 'src/lib/db/schema';

interface TableComments {
  file: string;
  purpose: string;
  columns: Map<string, string>;
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
const cell = (text: string) => text.replaceAll('|', '\\|');
/** The `/** … *\/` text right before a node, on one line; '' when there is none. */
function docComment(node: ts.Node, source: ts.SourceFile): string {
  const ranges = ts.getLeadingCommentRanges(source.text, node.getFullStart()) ?? [];
  const last = ranges.at(-1);
  if (!last) return '';
  const text = source.text.slice(last.pos, last.end);
  if (!text.startsWith('/**')) return '';
  return oneLine(text.slice(3, -2).replace(/^\s*\*/gm, ''));
}

/** Each exported `sqliteTable(…)` constant's comment and its columns' comments, by export name. */
function readComments(root: string): Map<string, TableComments> {
  const found = new Map<string, TableComments>();
  const dir = path.join(root, SCHEMA_DIR);
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
    const source = ts.createSourceFile(
      file,
      readFileSync(path.join(dir, file), 'utf8'),
      ts.ScriptTarget.Latest,
      true,
    );
    for (const statement of source.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      for (const declaration of statement.declarationList.declarations) {
        const call = declaration.initializer;
        if (!call || !ts.isCallExpression(call) || call.expression.getText(source) !== 'sqliteTable')
          continue;
        const columns = new Map<string, string>();
        const shape = call.arguments[1];
        if (shape && ts.isObjectLiteralExpression(shape)) {
          for (const property of shape.properties) {
            const note = docComment(property, source);
            if (note && property.name) columns.set(property.name.getText(source), note);
          }
        }
        found.set(declaration.name.getText(source), {
          file: `${SCHEMA_DIR}/${file}`,
          purpose: docComment(statement, source),
          columns,
        });
      }
    }
  }
  return found;
}

const dialect = new SQLiteSyncDialect();

/** A default as SQL would show it: a literal, an SQL expression, or "(set by the app)" for `$defaultFn`. */
function defaultOf(column: SQLiteColumn): string {
  if ('autoIncrement' in column && column.autoIncrement === true) return 'autoincrement';
  if (column.defaultFn || column.onUpdateFn) return '(set by the app)';
  if (!column.hasDefault || column.default === undefined) return '';
  if (is(column.default, SQL)) return `\`${dialect.sqlToQuery(column.default).sql}\``;
  const value = column.default;
  return `\`${typeof value === 'string' ? `'${value}'` : JSON.stringify(value)}\``;
}

const sqlOf = (expression: unknown) =>
  is(expression, SQL) ? dialect.sqlToQuery(expression).sql : (expression as SQLiteColumn).name;

function renderTable(exportName: string, table: SQLiteTable, comments: TableComments | undefined): string[] {
  const config = getTableConfig(table);
  const propertyOf = new Map(
    Object.entries(table as unknown as Record<string, unknown>).flatMap(([key, value]) =>
      config.columns.includes(value as SQLiteColumn) ? [[value as SQLiteColumn, key] as const] : [],
    ),
  );
  const lines = [`## \`${config.name}\``, '', comments?.purpose || '(No comment in the schema file.)', ''];
  lines.push(`Defined as \`${exportName}\` in \`${comments?.file ?? SCHEMA_DIR}\`.`, '');
  const rows = config.columns.map((column) => [
    `\`${column.name}\``,
    column.getSQLType(),
    column.notNull ? 'no' : 'yes',
    cell(defaultOf(column)),
    [column.primary ? 'PK' : '', column.isUnique ? 'unique' : ''].filter(Boolean).join(', '),
    cell(comments?.columns.get(propertyOf.get(column) ?? '') ?? ''),
  ]);
  lines.push(...markdownTable(['Column', 'Type', 'Null', 'Default', 'Key', 'Note'], rows), '');
  for (const primaryKey of config.primaryKeys) {
    lines.push(`Primary key: (${primaryKey.columns.map((column) => `\`${column.name}\``).join(', ')}).`, '');
  }
  if (config.foreignKeys.length > 0) {
    lines.push('Foreign keys:', '');
    for (const foreignKey of config.foreignKeys) {
      const reference = foreignKey.reference();
      const from = reference.columns.map((column) => `\`${column.name}\``).join(', ');
      const to = reference.foreignColumns.map((column) => column.name).join(', ');
      const target = getTableConfig(reference.foreignTable as SQLiteTable).name;
      const actions = [
        foreignKey.onDelete ? `on delete ${foreignKey.onDelete}` : '',
        foreignKey.onUpdate ? `on update ${foreignKey.onUpdate}` : '',
      ].filter(Boolean);
      lines.push(`- ${from} → \`${target}(${to})\`${actions.length > 0 ? `, ${actions.join(', ')}` : ''}`);
    }
    lines.push('');
  }
  const indexes = [
    ...config.indexes.map(({ config: index }) => ({
      name: index.name,
      unique: index.unique,
      on: index.columns.map(sqlOf).join(', '),
      where: index.where ? dialect.sqlToQuery(index.where).sql : '',
    })),
    ...config.uniqueConstraints.map((constraint) => ({
      name: constraint.getName(),
      unique: true,
      on: constraint.columns.map((column) => column.name).join(', '),
      where: '',
    })),
  ];
  if (indexes.length > 0) {
    lines.push('Indexes:', '');
    for (const index of indexes) {
      const where = index.where ? ` where \`${index.where}\`` : '';
      lines.push(`- \`${index.name}\`${index.unique ? ' (unique)' : ''} on \`${index.on}\`${where}`);
    }
    lines.push('');
  }
  return lines;
}

/** The whole document, tables in alphabetical order of their SQL name. */
export function renderDataModel(root = process.cwd()): string {
  const comments = readComments(root);
  const tables = Object.entries(schema)
    .flatMap(([name, value]) => (is(value, SQLiteTable) ? [[name, value] as const] : []))
    .sort(([, a], [, b]) => getTableConfig(a).name.localeCompare(getTableConfig(b).name));
  const lines = [
    '# Data model',
    '',
    '<!-- Generated by `npm run docs:data-model` from src/lib/db/schema/*.ts: edit the schema and its',
    '     comments, not this file. -->',
    '',
    'ClaudeOps keeps everything in one SQLite file (WAL mode, `foreign_keys=ON`); the schema is Drizzle',
    '(`src/lib/db/schema/`), migrated by the drizzle-kit migrations in `src/lib/db/migrations/` before the',
    'server listens. Times are Unix epoch milliseconds, money is integer micro-dollars, booleans are 0/1',
    'integers and JSON columns are text. See [architecture.md](architecture.md#the-database) for how it is used.',
    'A Postgres schema mirrors it table for table (not used at run time yet): [scaling.md](scaling.md#postgres).',
    '',
    ...markdownTable(
      ['Table', 'Purpose'],
      tables.map(([name, drizzleTable]) => {
        const sqlName = getTableConfig(drizzleTable).name;
        return [`[\`${sqlName}\`](#${sqlName})`, cell(comments.get(name)?.purpose ?? '')];
      }),
    ),
    '',
    ...tables.flatMap(([name, table]) => renderTable(name, table, comments.get(name))),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}
