import { index, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { HealthFinding, HealthReport, HealthReportStatus } from '../../contracts/healthReports';
import { agentConfigurations } from './agents';
import { int64, rowId } from './columns';
import { executions } from './executions';

/** ../schema/healthReports.ts in Postgres. */
export const healthReports = pgTable(
  'health_reports',
  {
    id: rowId('id'),
    executionId: int64('execution_id')
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    agentId: int64('agent_id')
      .notNull()
      .references(() => agentConfigurations.id, { onDelete: 'cascade' }),
    status: text('status').$type<HealthReportStatus>().notNull(),
    summary: text('summary'),
    findings: jsonb('findings').$type<HealthFinding[]>(),
    recommendations: jsonb('recommendations').$type<string[]>(),
    figures: jsonb('figures').$type<HealthReport['figures']>(),
    rawAnswer: text('raw_answer'),
    createdAt: int64('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('health_reports_by_execution').on(t.executionId),
    index('health_reports_recent').on(t.createdAt),
  ],
);
