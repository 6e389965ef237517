import { describe, expect, it } from 'vitest';
import { type CostExportRow, costExportQuerySchema } from '../../src/lib/contracts/costs';
import { csvChunks, jsonChunks } from '../../src/lib/export/costExport';
import { csvCell, csvLine } from '../../src/lib/export/csv';

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rlf', '"cr\rlf"'],
    ['=SUM(A1:A9)', "'=SUM(A1:A9)"],
    ['+1', "'+1"],
    ['-2+3', "'-2+3"],
    ['@cmd', "'@cmd"],
    ['\tindent', "'\tindent"],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['', ''],
  ])('%j → %j', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it('writes numbers, booleans and null as they are (a number is never a formula)', () => {
    expect(csvLine([-1, 0.25, true, null, 'x'])).toBe('-1,0.25,true,,x\r\n');
  });
});

const row: CostExportRow = {
  executionId: 7,
  agentId: 2,
  agentName: '=cmd|" /C calc"!A0, "quoted"',
  status: 'completed',
  createdAt: '2026-11-15T08:00:00.000Z',
  model: 'claude-haiku-4-5',
  inputTokens: 1,
  outputTokens: 2,
  cacheCreation5mTokens: 3,
  cacheCreation1hTokens: 4,
  cacheReadTokens: 5,
  costUsd: 0.25,
  reportedCostUsd: 0.000001,
  unpriced: true,
};

/** An export body's chunks joined, as the download gets them. */
async function textOf(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}

describe('export bodies', () => {
  it('CSV: a header, then one escaped record per row', async () => {
    expect(
      await textOf(csvChunks([[row], [{ ...row, executionId: 8, agentName: 'plain', model: null }]])),
    ).toBe(
      'execution_id,agent_id,agent_name,status,created_at,model,input_tokens,output_tokens,' +
        'cache_creation_5m_tokens,cache_creation_1h_tokens,cache_read_tokens,cost_usd,reported_cost_usd,unpriced\r\n' +
        `7,2,"'=cmd|"" /C calc""!A0, ""quoted""",completed,2026-11-15T08:00:00.000Z,claude-haiku-4-5,1,2,3,4,5,0.250000,0.000001,true\r\n` +
        '8,2,plain,completed,2026-11-15T08:00:00.000Z,,1,2,3,4,5,0.250000,0.000001,true\r\n',
    );
  });

  it('JSON: one document across pages, and a valid one without rows', async () => {
    const range = { from: '2026-11-01', to: '2026-11-30' };
    expect(JSON.parse(await textOf(jsonChunks(range, [[row], [row, row]])))).toEqual({
      ...range,
      rows: [row, row, row],
    });
    expect(JSON.parse(await textOf(jsonChunks(range, [])))).toEqual({ ...range, rows: [] });
  });
});

describe('costExportQuerySchema', () => {
  const issue = (query: Record<string, string>) => costExportQuerySchema.safeParse(query).error?.issues[0];

  it('takes an inclusive range of UTC days, JSON by default', () => {
    expect(costExportQuerySchema.parse({ from: '2026-11-01', to: '2026-11-01' })).toEqual({
      from: '2026-11-01',
      to: '2026-11-01',
      format: 'json',
    });
    expect(
      costExportQuerySchema.safeParse({ from: '2025-01-01', to: '2026-01-01', format: 'csv' }).success,
    ).toBe(true);
  });

  it.each([
    [{ from: '2026-11-02', to: '2026-11-01' }, 'to', 'Must not be before from'],
    [{ from: '2025-01-01', to: '2026-01-02' }, 'to', 'The range spans at most 366 days'],
    [{ from: '2026-02-30', to: '2026-03-01' }, 'from', 'Must be a calendar date as YYYY-MM-DD'],
    [{ from: '2026-11-01T00:00', to: '2026-11-02' }, 'from', 'Must be a calendar date as YYYY-MM-DD'],
    [{ to: '2026-11-02' }, 'from', 'Must be a calendar date as YYYY-MM-DD'],
    [{ from: '2026-11-01', to: '2026-11-02', format: 'xlsx' }, 'format', expect.any(String)],
  ])('%j → %s: %s', (query, path, message) => {
    expect(issue(query)).toMatchObject({ path: [path], message });
  });

  it('refuses unknown parameters', () => {
    expect(issue({ from: '2026-11-01', to: '2026-11-02', agent: '1' })).toMatchObject({
      code: 'unrecognized_keys',
    });
  });
});
