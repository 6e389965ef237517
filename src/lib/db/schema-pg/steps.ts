import { boolean, index, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import type { LogLevel, StepKind } from '../../contracts/executions';
import { int64 } from './columns';
import { executions } from './executions';

/** ../schema/steps.ts in Postgres. */
export const executionSteps = pgTable(
  'execution_steps',
  {
    executionId: int64('execution_id')
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    seq: int64('seq').notNull(),
    kind: text('kind').$type<StepKind>().notNull(),
    summary: text('summary').notNull(),
    toolName: text('tool_name'),
    toolUseId: text('tool_use_id'),
    isError: boolean('is_error').notNull().default(false),
    payload: jsonb('payload').$type<unknown>().notNull(),
    createdAt: int64('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.executionId, t.seq] }),
    index('execution_steps_by_tool_use').on(t.executionId, t.toolUseId),
  ],
);

export const executionLogs = pgTable(
  'execution_logs',
  {
    executionId: int64('execution_id')
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    seq: int64('seq').notNull(),
    level: text('level').$type<LogLevel>().notNull(),
    text: text('text').notNull(),
    createdAt: int64('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.executionId, t.seq] })],
);
