import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { LogLevel, StepKind } from '../../contracts/executions';
import { executions } from './executions';

/** One SDK message worth showing on the timeline, with its full payload for the detail view. */
export const executionSteps = sqliteTable(
  'execution_steps',
  {
    executionId: integer('execution_id')
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    kind: text('kind').$type<StepKind>().notNull(),
    summary: text('summary').notNull(),
    toolName: text('tool_name'),
    toolUseId: text('tool_use_id'),
    isError: integer('is_error', { mode: 'boolean' }).notNull().default(false),
    payload: text('payload', { mode: 'json' }).$type<unknown>().notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.executionId, t.seq] }),
    index('execution_steps_by_tool_use').on(t.executionId, t.toolUseId),
  ],
);

export type ExecutionStep = typeof executionSteps.$inferSelect;
export type NewExecutionStep = typeof executionSteps.$inferInsert;

/**
 * The run's log, a line per row. Not one of the architecture document's eight tables:
 * steps hold structured SDK messages, while a log can run to 100k lines that the
 * viewer pages through by sequence number, so it gets its own narrow table.
 */
export const executionLogs = sqliteTable(
  'execution_logs',
  {
    executionId: integer('execution_id')
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    level: text('level').$type<LogLevel>().notNull(),
    text: text('text').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.executionId, t.seq] })],
);

export type ExecutionLog = typeof executionLogs.$inferSelect;
export type NewExecutionLog = typeof executionLogs.$inferInsert;
