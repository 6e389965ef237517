import { expect, it } from 'vitest';
import { execute, type Plan } from '../../src/lib/db/plan';
import {
  getLatestHealthReportRow,
  insertHealthReport,
  listHealthReportRows,
  listHealthReportRowsSince,
  type NewHealthReport,
} from '../../src/lib/db/queries/healthReports';
import type { Store } from '../../src/lib/db/store';
import { describeOnEachDialect, insertAgent } from '../helpers/stores';

// The health report queries on both dialects: a report's JSON parts read back as written, the
// keyset pages, the newest, and the dashboard's strip (reports of one instant in the order stored).

/** An ended run of `agentId` for a report to hang on. */
async function insertRun({ db, t }: Store, agentId: number): Promise<number> {
  const [row] = await db
    .insert(t.executions)
    .values({ agentId, trigger: 'schedule', status: 'completed', prompt: 'p', model: 'm', createdAt: 0 })
    .returning({ id: t.executions.id });
  if (!row) throw new Error('no run inserted');
  return row.id;
}

const REPORT = {
  status: 'warning' as const,
  summary: 'Disk filling',
  findings: [{ area: 'disk', severity: 'warning' as const, message: '91 % used', evidence: 'df -h' }],
  recommendations: ['Prune old runs'],
  figures: { fullestDiskPercent: 91, load1: 1.25, daysUntilDiskFull: null },
};

describeOnEachDialect('health reports', (store) => {
  const run = <T>(plan: (store: Store) => Plan<T>) => execute(store(), plan(store()));
  const record = async (createdAt: number, report: Partial<NewHealthReport> = {}) => {
    const agentId = await insertAgent(store(), `reporter ${createdAt} ${Math.random()}`);
    const executionId = await insertRun(store(), agentId);
    await run((s) => insertHealthReport(s, { executionId, agentId, ...REPORT, createdAt, ...report }));
    return executionId;
  };

  it('is empty before the first report', async () => {
    expect(await run(getLatestHealthReportRow)).toBeUndefined();
    expect(await run((s) => listHealthReportRows(s, { limit: 5 }))).toEqual({ rows: [], nextBefore: null });
  });

  it('reads a report back as written, its JSON parts included; an invalid one keeps its raw answer', async () => {
    const executionId = await record(1_000);
    expect(await run(getLatestHealthReportRow)).toMatchObject({ executionId, ...REPORT, createdAt: 1_000 });
    const invalid = await record(2_000, {
      status: 'invalid',
      summary: null,
      findings: null,
      recommendations: null,
      figures: null,
      rawAnswer: 'All good, I think.',
    });
    expect(await run(getLatestHealthReportRow)).toMatchObject({
      executionId: invalid,
      status: 'invalid',
      findings: null,
      rawAnswer: 'All good, I think.',
    });
  });

  it('lists newest first, a page at a time', async () => {
    const before = (await run((s) => listHealthReportRows(s, { limit: 100 }))).rows.length;
    for (let i = 0; i < 3; i++) await record(10_000 + i, { summary: `report ${i}` });
    const first = await run((s) => listHealthReportRows(s, { limit: 2 }));
    expect(first.rows.map((row) => row.summary)).toEqual(['report 2', 'report 1']);
    const rest = await run((s) => listHealthReportRows(s, { limit: 1, before: first.nextBefore ?? 0 }));
    expect(rest.rows.map((row) => row.summary)).toEqual(['report 0']);
    const last = await run((s) => listHealthReportRows(s, { limit: 100, before: first.nextBefore ?? 0 }));
    expect(last.rows).toHaveLength(before + 1);
    expect(last.nextBefore).toBeNull();
  });

  it('gives the strip every report since a time, oldest first, reports of one instant as stored', async () => {
    await record(50_000, { summary: 'old' });
    await record(60_000, { summary: 'tie a' });
    await record(60_000, { summary: 'tie b' });
    await record(55_000, { summary: 'middle' });
    const since = await run((s) => listHealthReportRowsSince(s, 55_000));
    expect(since.map((row) => row.summary)).toEqual(['middle', 'tie a', 'tie b']);
  });
});
