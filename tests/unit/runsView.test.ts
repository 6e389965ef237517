import { describe, expect, it } from 'vitest';
import type { ExecutionSummary } from '../../src/lib/contracts/executions';
import {
  firstPageOf,
  matchesView,
  nextSort,
  refreshRows,
  runsSearch,
  takesNewRuns,
} from '../../src/lib/presentation/runsView';

const run = (id: number, status: ExecutionSummary['status'], lastSeq = 1) =>
  ({
    id,
    agentId: 1,
    status,
    trigger: 'manual',
    scheduleId: null,
    createdAt: 5,
    lastSeq,
  }) as ExecutionSummary;

describe('the Runs page view', () => {
  it('writes a view as the API query, leaving out defaults and empty fields', () => {
    expect(
      runsSearch({ sort: 'created', order: 'desc', status: 'failed', q: 'disk space', agentId: 3 }),
    ).toBe('?status=failed&q=disk+space&agentId=3');
    expect(runsSearch({ sort: 'cost', order: 'asc' })).toBe('?sort=cost&order=asc');
    expect(runsSearch({})).toBe('');
    expect(firstPageOf({ status: 'failed', cursor: 'created:5:5', before: 5 })).toEqual({ status: 'failed' });
  });

  it('takes new runs live only where a frame can place them', () => {
    expect(takesNewRuns({ status: 'failed' })).toBe(true);
    expect(takesNewRuns({ q: 'disk' })).toBe(false);
    expect(takesNewRuns({ sort: 'cost' })).toBe(false);
    expect(takesNewRuns({ cursor: 'created:5:5' })).toBe(false);
    expect(matchesView({ status: 'failed' }, run(1, 'failed'))).toBe(true);
    expect(matchesView({ status: 'failed', agentId: 2 }, run(1, 'failed'))).toBe(false);
    expect(matchesView({ to: 5 }, run(1, 'failed'))).toBe(false);
  });

  it('refreshes the rows shown in place, never with an older state', () => {
    const rows = [run(3, 'running', 4), run(2, 'completed', 9)];
    const next = refreshRows(rows, [run(3, 'completed', 8), run(2, 'running', 3), run(7, 'queued')]);
    expect(next.map((row) => [row.id, row.status])).toEqual([
      [3, 'completed'],
      [2, 'completed'],
    ]);
  });

  it('sorts a column largest first, then flips it', () => {
    expect(nextSort({ sort: 'created', order: 'desc' }, 'cost')).toEqual({ sort: 'cost', order: 'desc' });
    expect(nextSort({ sort: 'cost', order: 'desc' }, 'cost')).toEqual({ sort: 'cost', order: 'asc' });
  });
});
