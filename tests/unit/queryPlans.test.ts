import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thisHost } from '../../src/lib/config/host';
import type { DbHandle } from '../../src/lib/db';
import { onSqlite, runOnSqlite } from '../../src/lib/db/plan';
import { listAgents } from '../../src/lib/db/queries/agents';
import { costExportPages, getTopExecutions } from '../../src/lib/db/queries/costReports';
import {
  getExecutionLogs,
  getExecutionLogsBefore,
  getExecutionSteps,
  listRecentAndActive,
} from '../../src/lib/db/queries/executions';
import { listHealthReportRows, listHealthReportRowsSince } from '../../src/lib/db/queries/healthReports';
import { getMetricsRange, getRunBands } from '../../src/lib/db/queries/metrics';
import { listChannelRows } from '../../src/lib/db/queries/notificationChannels';
import { listDeliveries } from '../../src/lib/db/queries/notificationDeliveries';
import { listRunsToPrune } from '../../src/lib/db/queries/outputRetention';
import { listExecutions } from '../../src/lib/db/queries/runList';
import { getExecutionResources } from '../../src/lib/db/queries/runResources';
import {
  getActiveRunsOfSchedule,
  getActiveWorkflowRunsOfSchedule,
  getEarliestFireAt,
  listFiringsOfSchedule,
  listNextDueSchedules,
  listSchedulesLastUnrun,
  listSchedulesWithTarget,
  selectDueSchedules,
} from '../../src/lib/db/queries/schedules';
import { listWorkers } from '../../src/lib/db/queries/workers';
import { listWorkflowRuns } from '../../src/lib/db/queries/workflowRuns';
import { listWorkflows } from '../../src/lib/db/queries/workflows';
import { sqliteStore } from '../../src/lib/db/store';
import { plansOf } from '../helpers/queryPlans';
import { createTestDb } from '../helpers/testDb';

/** This machine: the host the product files its own metrics under. */
const HOST = thisHost();

let handle: DbHandle;
beforeAll(() => {
  handle = createTestDb();
});
afterAll(() => handle.sqlite.close());

const page = { limit: 25 };

/** Every list a page or the API reads, and the index each must read it through. */
const LIST_QUERIES: [string, (db: DbHandle['db']) => unknown, RegExp][] = [
  ['executions, newest first', (db) => listExecutions(sqliteStore(db), page), /^SCAN executions$/],
  [
    'executions of an agent',
    (db) => listExecutions(sqliteStore(db), { ...page, agentId: 1 }),
    /USING INDEX executions_by_agent /,
  ],
  [
    'executions by status',
    (db) => listExecutions(sqliteStore(db), { ...page, status: 'failed' }),
    /USING INDEX executions_by_status /,
  ],
  [
    'executions of an agent by status, next page',
    (db) => listExecutions(sqliteStore(db), { ...page, agentId: 1, status: 'failed', before: 10 }),
    /USING INDEX executions_by_(agent|status) /,
  ],
  [
    'executions by trigger',
    (db) => listExecutions(sqliteStore(db), { ...page, trigger: 'api' }),
    /USING INDEX executions_by_trigger /,
  ],
  [
    'executions of a schedule',
    (db) => listExecutions(sqliteStore(db), { ...page, scheduleId: 3 }),
    /USING INDEX executions_by_schedule /,
  ],
  [
    'executions by cost, next page',
    (db) => listExecutions(sqliteStore(db), { ...page, sort: 'cost', cursor: 'cost:500:10' }),
    /USING INDEX executions_by_cost /,
  ],
  [
    'executions by duration, oldest first',
    (db) => listExecutions(sqliteStore(db), { ...page, sort: 'duration', order: 'asc' }),
    /USING INDEX executions_by_duration/,
  ],
  [
    'executions found by words',
    (db) => listExecutions(sqliteStore(db), { ...page, q: 'disk' }),
    /VIRTUAL TABLE INDEX \d+:M/,
  ],
  [
    'active runs for a live list',
    (db) => runOnSqlite(listRecentAndActive(sqliteStore(db), 100)),
    /USING INDEX executions_by_status /,
  ],
  [
    'a log page after a seq',
    (db) => runOnSqlite(getExecutionLogs(sqliteStore(db), 1, 5, 100)),
    /USING INDEX sqlite_autoindex_execution_logs_1/,
  ],
  [
    'a log page before a seq',
    (db) => runOnSqlite(getExecutionLogsBefore(sqliteStore(db), 1, 5, 100)),
    /USING INDEX sqlite_autoindex_execution_logs_1/,
  ],
  [
    'steps of a run',
    (db) => runOnSqlite(getExecutionSteps(sqliteStore(db), 1, 0, 10)),
    /USING INDEX sqlite_autoindex_execution_steps_1/,
  ],
  [
    'agents by name',
    (db) => runOnSqlite(listAgents(sqliteStore(db))),
    /USING INDEX agent_configurations_live_name_unique/,
  ],
  [
    'the month’s costliest runs',
    (db) => getTopExecutions(sqliteStore(db), Date.now()),
    /USING INDEX executions_by_month_cost/,
  ],
  [
    'cost export pages',
    // The first page: one statement, as every page is.
    (db) => costExportPages(sqliteStore(db), { from: '2026-11-01', to: '2026-11-30' }).next(),
    /USING INDEX executions_recent/,
  ],
  [
    'workflows by name',
    (db) => runOnSqlite(listWorkflows(sqliteStore(db))),
    /USING INDEX workflows_live_name_unique/,
  ],
  [
    'workflow runs, newest first',
    (db) => runOnSqlite(listWorkflowRuns(sqliteStore(db), { limit: 20 })),
    /^SCAN workflow_runs$/,
  ],
  [
    'runs of a workflow, next page',
    (db) => runOnSqlite(listWorkflowRuns(sqliteStore(db), { workflowId: 1, limit: 20, before: 50 })),
    /USING INDEX workflow_runs_by_workflow_recent /,
  ],
  [
    'notification channels by name',
    (db) => runOnSqlite(listChannelRows(sqliteStore(db))),
    /USING INDEX notification_channels_by_name/,
  ],
  [
    'notification deliveries, newest first',
    (db) => runOnSqlite(listDeliveries(sqliteStore(db), { limit: 50 })),
    /^SCAN notification_deliveries$/,
  ],
  [
    'notification deliveries of a channel',
    (db) => runOnSqlite(listDeliveries(sqliteStore(db), { limit: 50, channelId: 1 })),
    /USING INDEX notification_deliveries_by_channel /,
  ],
  [
    'notification deliveries by status, next page',
    (db) => runOnSqlite(listDeliveries(sqliteStore(db), { limit: 50, status: 'gave_up', before: 100 })),
    /USING INDEX notification_deliveries_by_status /,
  ],
  [
    'notification deliveries of a channel by status',
    (db) => runOnSqlite(listDeliveries(sqliteStore(db), { limit: 50, channelId: 1, status: 'retrying' })),
    /USING INDEX notification_deliveries_by_(channel|status) /,
  ],
  [
    'health reports, newest first',
    (db) => runOnSqlite(listHealthReportRows(sqliteStore(db), { limit: 25, before: 9 })),
    /USING INTEGER PRIMARY KEY/,
  ],
  [
    'the last week of health reports',
    (db) => runOnSqlite(listHealthReportRowsSince(sqliteStore(db), 0)),
    /USING INDEX health_reports_recent/,
  ],
  [
    'the scheduler’s due schedules',
    (db) => onSqlite(db, (s) => selectDueSchedules(s, Date.now(), 100)),
    /USING INDEX schedules_due /,
  ],
  [
    'the scheduler’s earliest slot',
    (db) => onSqlite(db, (s) => getEarliestFireAt(s)),
    /USING COVERING INDEX schedules_due /,
  ],
  [
    'schedules, newest first',
    (db) => onSqlite(db, (s) => listSchedulesWithTarget(s, page)),
    /^SCAN schedules$/,
  ],
  [
    'schedules of an agent',
    (db) => onSqlite(db, (s) => listSchedulesWithTarget(s, { ...page, agentId: 1 })),
    /USING INDEX schedules_by_agent /,
  ],
  [
    'schedules of a workflow',
    (db) => onSqlite(db, (s) => listSchedulesWithTarget(s, { ...page, workflowId: 1 })),
    /USING INDEX schedules_by_workflow /,
  ],
  [
    'the dashboard’s next schedules',
    (db) => onSqlite(db, (s) => listNextDueSchedules(s, 5)),
    /USING INDEX schedules_due /,
  ],
  [
    'the dashboard’s schedules whose last slot started nothing',
    (db) => onSqlite(db, (s) => listSchedulesLastUnrun(s, 10)),
    /USING COVERING INDEX schedule_firings_by_schedule_recent /,
  ],
  [
    'a schedule’s history',
    (db) => onSqlite(db, (s) => listFiringsOfSchedule(s, 1, { limit: 50 })),
    /USING INDEX schedule_firings_by_schedule_recent /,
  ],
  [
    'a schedule’s active runs (its overlap policy)',
    (db) => onSqlite(db, (s) => getActiveRunsOfSchedule(s, 1)),
    /USING INDEX executions_active_by_schedule /,
  ],
  [
    'a schedule’s active workflow runs (its overlap policy)',
    (db) => onSqlite(db, (s) => getActiveWorkflowRunsOfSchedule(s, 1)),
    /USING INDEX workflow_runs_active_by_schedule /,
  ],
  // Each chart statement is prepared once per connection, so each is planned where it is first used
  // (the dashboard's last minutes read raw samples with the statement of the 1-hour range).
  [
    'runs drawn on the charts',
    (db) => onSqlite(db, (store) => getRunBands(store, HOST, 0, Date.now())),
    /USING INDEX executions_recent /,
  ],
  [
    'a chart range from a rollup tier',
    (db) => onSqlite(db, (store) => getMetricsRange(store, HOST, '1y', Date.now())),
    /SEARCH host_rollups USING INDEX sqlite_autoindex_host_rollups_1 /,
  ],
  [
    'a chart range from raw samples',
    (db) => onSqlite(db, (store) => getMetricsRange(store, HOST, '1h', Date.now())),
    /SEARCH host_samples USING INDEX sqlite_autoindex_host_samples_1 \(host=\? AND t>/,
  ],
  [
    'a run’s resource samples',
    (db) => runOnSqlite(getExecutionResources(sqliteStore(db), 1)),
    /SEARCH execution_resource_samples USING (PRIMARY KEY|INDEX)/,
  ],
  [
    'workers, newest first',
    (db) => listWorkers(sqliteStore(db), Date.now()),
    /SCAN workers USING INDEX workers_recent/,
  ],
  [
    'each listed worker’s running runs',
    (db) => listWorkers(sqliteStore(db), Date.now()),
    /USING COVERING INDEX executions_running_by_worker /,
  ],
  [
    'runs whose output retention drops next',
    (db) => runOnSqlite(listRunsToPrune(sqliteStore(db), Date.now(), 20)),
    /USING INDEX executions_output_to_prune /,
  ],
];

describe('list queries', () => {
  it.each(LIST_QUERIES)('%s: read through an index, with no sort step', async (_name, run, index) => {
    const statements = await plansOf(handle, () => run(handle.db));
    expect(statements.length).toBeGreaterThan(0);
    const plan = statements.flatMap((statement) => statement.plan);
    expect(plan.filter((step) => step.includes('TEMP B-TREE'))).toEqual([]);
    expect(plan.some((step) => index.test(step))).toBe(true);
  });
});
