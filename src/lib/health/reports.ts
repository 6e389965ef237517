import { outputSchemaOf } from '../../agents/structuredOutput';
import type { ExecutionLive } from '../contracts/executions';
import {
  type HealthReport,
  type HealthReportDto,
  type HealthReportPage,
  healthOutcomeOf,
  healthReportSchema,
  type ListHealthReportsQuery,
} from '../contracts/healthReports';
import type { NotificationEventInput } from '../contracts/notifications';
import { execute, type Plan } from '../db/plan';
import {
  getLatestHealthReportRow,
  insertHealthReport,
  listHealthReportRows,
  listHealthReportRowsSince,
} from '../db/queries/healthReports';
import type { AgentConfiguration, HealthReportRow } from '../db/schema';
import type { Store } from '../db/store';

function healthEvents(execution: ExecutionLive, report: HealthReport): NotificationEventInput[] {
  const data = (state: 'firing' | 'resolved') => ({
    agentId: execution.agentId,
    agentName: execution.agentName,
    executionId: execution.id,
    status: report.status,
    summary: report.summary,
    findings: report.findings.map(({ area, severity, message }) => ({ area, severity, message })),
    state,
    path: `/executions/${execution.id}`,
  });
  // A warning clears a critical condition and the other way round; ok clears both.
  return [
    { type: 'health.warning', data: data(report.status === 'warning' ? 'firing' : 'resolved') },
    { type: 'health.critical', data: data(report.status === 'critical' ? 'firing' : 'resolved') },
  ];
}

/**
 * Stores the report of a reporting agent's run and returns the health events it raises or
 * clears; nothing for agents that do not report. A plan, so it runs inside the transaction that
 * ends the run (`yield*` it there).
 */
export function* recordHealthReport(
  store: Store,
  agent: AgentConfiguration,
  execution: ExecutionLive,
  now: number,
): Plan<NotificationEventInput[]> {
  if (outputSchemaOf(agent) === null) return [];
  const { report, rawAnswer } = healthOutcomeOf(execution);
  yield* insertHealthReport(store, {
    executionId: execution.id,
    agentId: execution.agentId,
    status: report?.status ?? 'invalid',
    summary: report?.summary ?? null,
    findings: report?.findings ?? null,
    recommendations: report?.recommendations ?? null,
    figures: report?.figures ?? null,
    rawAnswer,
    createdAt: now,
  });
  return report ? healthEvents(execution, report) : [];
}

function toDto(row: HealthReportRow): HealthReportDto {
  const report =
    row.status === 'invalid'
      ? null
      : healthReportSchema.safeParse({
          status: row.status,
          summary: row.summary,
          findings: row.findings,
          recommendations: row.recommendations,
          ...(row.figures ? { figures: row.figures } : {}),
        });
  return {
    id: row.id,
    executionId: row.executionId,
    agentId: row.agentId,
    // A stored row that no longer parses is shown as what it is: no valid report.
    status: report?.success ? row.status : 'invalid',
    report: report?.success ? report.data : null,
    rawAnswer: row.rawAnswer,
    createdAt: row.createdAt,
  };
}

export async function listHealthReports(
  store: Store,
  query: ListHealthReportsQuery,
): Promise<HealthReportPage> {
  const { rows, nextBefore } = await execute(store, listHealthReportRows(store, query));
  return { items: rows.map(toDto), nextBefore };
}

export async function getLatestHealthReport(store: Store): Promise<HealthReportDto | null> {
  const row = await execute(store, getLatestHealthReportRow(store));
  return row ? toDto(row) : null;
}

/** The reports of the last `days` days, oldest first (the dashboard's strip). */
export async function recentHealthReports(store: Store, now: number, days = 7): Promise<HealthReportDto[]> {
  return (await execute(store, listHealthReportRowsSince(store, now - days * 86_400_000))).map(toDto);
}
