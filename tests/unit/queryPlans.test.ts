import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/lib/db';
import { listAgents } from '../../src/lib/db/queries/agents';
import { costExportPages, getTopExecutions } from '../../src/lib/db/queries/costReports';
import {
  getExecutionLogs,
  getExecutionLogsBefore,
  getExecutionSteps,
  listExecutions,
  listRecentAndActive,
} from '../../src/lib/db/queries/executions';
import { getMetricsRange, getRunBands } from '../../src/lib/db/queries/metrics';
import { getExecutionResources } from '../../src/lib/db/queries/runResources';
import { listWorkflowRuns } from '../../src/lib/db/queries/workflowRuns';
import { listWorkflows } from '../../src/lib/db/queries/workflows';
import { plansOf } from '../helpers/queryPlans';
import { createTestDb } from '../helpers/testDb';

let handle: DbHandle;
beforeAll(() => {
  handle = createTestDb();
});
afterAll(() => handle.sqlite.close());

const page = { limit: 25 };

/** Every list a page or the API reads, and the index each must read it through. */
const LIST_QUERIES: [string, (db: DbHandle['db']) => unknown, RegExp][] = [
  ['executions, newest first', (db) => listExecutions(db, page), /^SCAN executions$/],
  [
    'executions of an agent',
    (db) => listExecutions(db, { ...page, agentId: 1 }),
    /USING INDEX executions_by_agent /,
  ],
  [
    'executions by status',
    (db) => listExecutions(db, { ...page, status: 'failed' }),
    /USING INDEX executions_by_status /,
  ],
  [
    'executions of an agent by status, next page',
    (db) => listExecutions(db, { ...page, agentId: 1, status: 'failed', before: 10 }),
    /USING INDEX executions_by_(agent|status) /,
  ],
  [
    'executions by trigger',
    (db) => listExecutions(db, { ...page, trigger: 'api' }),
    /USING INDEX executions_by_trigger /,
  ],
  [
    'executions of a schedule',
    (db) => listExecutions(db, { ...page, scheduleId: 3 }),
    /USING INDEX executions_by_schedule /,
  ],
  ['active runs for a live list', (db) => listRecentAndActive(db, 100), /USING INDEX executions_by_status /],
  [
    'a log page after a seq',
    (db) => getExecutionLogs(db, 1, 5, 100),
    /USING INDEX sqlite_autoindex_execution_logs_1/,
  ],
  [
    'a log page before a seq',
    (db) => getExecutionLogsBefore(db, 1, 5, 100),
    /USING INDEX sqlite_autoindex_execution_logs_1/,
  ],
  [
    'steps of a run',
    (db) => getExecutionSteps(db, 1, 0, 10),
    /USING INDEX sqlite_autoindex_execution_steps_1/,
  ],
  ['agents by name', (db) => listAgents(db), /USING INDEX agent_configurations_live_name_unique/],
  [
    'the month’s costliest runs',
    (db) => getTopExecutions(db, Date.now()),
    /USING INDEX executions_by_month_cost/,
  ],
  [
    'cost export pages',
    (db) => [...costExportPages(db, { from: '2026-11-01', to: '2026-11-30' })],
    /USING INDEX executions_recent/,
  ],
  ['workflows by name', (db) => listWorkflows(db), /USING INDEX workflows_live_name_unique/],
  ['workflow runs, newest first', (db) => listWorkflowRuns(db, { limit: 20 }), /^SCAN workflow_runs$/],
  // Each chart statement is prepared once per connection, so each is planned where it is first used
  // (the dashboard's last minutes read raw samples with the statement of the 1-hour range).
  ['runs drawn on the charts', (db) => getRunBands(db, 0, Date.now()), /USING INDEX executions_recent /],
  [
    'a chart range from a rollup tier',
    (db) => getMetricsRange(db, '1y', Date.now()),
    /SEARCH host_rollups USING INDEX sqlite_autoindex_host_rollups_1 /,
  ],
  [
    'a chart range from raw samples',
    (db) => getMetricsRange(db, '1h', Date.now()),
    /SEARCH host_samples USING INTEGER PRIMARY KEY/,
  ],
  [
    'a run’s resource samples',
    (db) => getExecutionResources(db, 1),
    /SEARCH execution_resource_samples USING (PRIMARY KEY|INDEX)/,
  ],
];

describe('list queries', () => {
  it.each(LIST_QUERIES)('%s: read through an index, with no sort step', (_name, run, index) => {
    const statements = plansOf(handle, () => run(handle.db));
    expect(statements.length).toBeGreaterThan(0);
    const plan = statements.flatMap((statement) => statement.plan);
    expect(plan.filter((step) => step.includes('TEMP B-TREE'))).toEqual([]);
    expect(plan.some((step) => index.test(step))).toBe(true);
  });
});
