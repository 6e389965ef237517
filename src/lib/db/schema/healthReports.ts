import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { HealthFinding, HealthReport, HealthReportStatus } from '../../contracts/healthReports';
import { agentConfigurations } from './agents';
import { executions } from './executions';

/**
 * One row per run of an agent that answers with a structured report (the System Health
 * Reporter): the report, or `invalid` with the raw answer when the run ended without a valid one.
 */
export const healthReports = sqliteTable(
  'health_reports',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    executionId: integer('execution_id')
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    agentId: integer('agent_id')
      .notNull()
      .references(() => agentConfigurations.id, { onDelete: 'cascade' }),
    /** The report's status, or `invalid` when there is no valid report. */
    status: text('status').$type<HealthReportStatus>().notNull(),
    summary: text('summary'),
    findings: text('findings', { mode: 'json' }).$type<HealthFinding[]>(),
    recommendations: text('recommendations', { mode: 'json' }).$type<string[]>(),
    figures: text('figures', { mode: 'json' }).$type<HealthReport['figures']>(),
    /** For `invalid`: what the run answered instead (or why it ended), so nothing is dropped. */
    rawAnswer: text('raw_answer'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('health_reports_by_execution').on(t.executionId),
    // Newest first for the list and the latest report; the 7-day strip reads a range of it.
    index('health_reports_recent').on(t.createdAt),
  ],
);

export type HealthReportRow = typeof healthReports.$inferSelect;
