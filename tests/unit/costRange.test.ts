import { describe, expect, it } from 'vitest';
import { costRangeDays, costRangeQuerySchema } from '../../src/lib/contracts/costs';

const NOW = Date.UTC(2026, 11, 4, 9, 30);
const days = (query: Record<string, string>) => costRangeDays(costRangeQuerySchema.parse(query), NOW);

describe('the costs page range', () => {
  it('covers the UTC days of each preset up to today, or the days given', () => {
    expect(days({})).toEqual({ first: '2026-11-05', last: '2026-12-04' });
    expect(days({ range: '7d' })).toEqual({ first: '2026-11-28', last: '2026-12-04' });
    expect(days({ range: '90d' })).toEqual({ first: '2026-09-06', last: '2026-12-04' });
    expect(days({ range: 'month' })).toEqual({ first: '2026-12-01', last: '2026-12-04' });
    expect(days({ range: 'custom', from: '2025-12-30', to: '2026-01-02' })).toEqual({
      first: '2025-12-30',
      last: '2026-01-02',
    });
  });

  it('names the field of a bad custom range', () => {
    const issues = (query: Record<string, string>) =>
      costRangeQuerySchema
        .safeParse(query)
        .error?.issues.map((issue) => [issue.path.join('.'), issue.message]);
    expect(issues({ range: 'custom', from: '2026-12-01' })).toEqual([
      ['to', 'A custom range needs to (YYYY-MM-DD)'],
    ]);
    expect(issues({ range: 'custom', from: '2026-12-05', to: '2026-12-01' })).toEqual([
      ['to', 'Must not be before from'],
    ]);
    expect(issues({ range: 'custom', from: '2026-02-30', to: '2026-03-01' })?.[0]?.[0]).toBe('from');
    expect(issues({ range: 'year' })?.[0]?.[0]).toBe('range');
  });
});
