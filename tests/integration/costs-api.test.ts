import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CostExportRow, CostOverviewDto } from '../../src/lib/contracts/costs';
import type { ExecutionDetail } from '../../src/lib/contracts/executions';
import { BEARER } from '../helpers/appServer';
import { rawRequest } from '../helpers/rawHttp';
import { setUpTestStack } from '../helpers/stack';

const stack = setUpTestStack({ beforeAll, afterAll });

// A name a spreadsheet would run as a formula, with a quote and a comma to escape.
const AGENT_NAME = `=HYPERLINK("http://evil.example", "x"), ${Date.now()}`;
let run: ExecutionDetail;
let day: string;

beforeAll(async () => {
  const key = '[script:costs-export]';
  stack.model.script(key, [
    {
      content: [{ type: 'text', text: 'counted' }],
      usage: {
        input_tokens: 1200,
        output_tokens: 40,
        cache_read_input_tokens: 300,
        cache_creation_input_tokens: 100,
      },
    },
  ]);
  const agent = await stack.api.createAgent({ name: AGENT_NAME, defaultPrompt: `Count ${key}` });
  run = await stack.api.waitForEnd(await stack.api.startExecution(agent.id));
  day = new Date(run.createdAt).toISOString().slice(0, 10);
});

const exportPath = (query: Record<string, string>) => `/api/costs/export?${new URLSearchParams(query)}`;

describe('GET /api/costs/export', () => {
  it('returns the run as CSV, escaped and safe to open in a spreadsheet', async () => {
    expect(run.status).toBe('completed');
    const answer = await rawRequest(stack.app.url, {
      path: exportPath({ from: day, to: day, format: 'csv' }),
      headers: BEARER,
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(answer.headers['content-disposition']).toBe(
      `attachment; filename="claudeops-costs-${day}-${day}.csv"`,
    );

    const [header, ...records] = answer.body.split('\r\n');
    expect(header).toBe(
      'execution_id,agent_id,agent_name,status,created_at,model,input_tokens,output_tokens,' +
        'cache_creation_5m_tokens,cache_creation_1h_tokens,cache_read_tokens,cost_usd,reported_cost_usd,unpriced',
    );
    const record = records.find((line) => line.startsWith(`${run.id},`));
    const cost = run.costs[0];
    expect(cost).toBeDefined();
    const quotedName = `"'${AGENT_NAME.replaceAll('"', '""')}"`;
    expect(record).toBe(
      [
        run.id,
        run.agentId,
        quotedName,
        'completed',
        new Date(run.createdAt).toISOString(),
        cost?.model,
        cost?.inputTokens,
        cost?.outputTokens,
        cost?.cacheCreation5mTokens,
        cost?.cacheCreation1hTokens,
        cost?.cacheReadTokens,
        cost?.costUsd.toFixed(6),
        cost?.reportedCostUsd.toFixed(6),
        'false',
      ].join(','),
    );
    expect(records.at(-1)).toBe('');
  });

  it('returns the same run as JSON, with its tokens and both cost figures', async () => {
    const { status, body } = await stack.api.call('GET', exportPath({ from: day, to: day }));
    expect(status).toBe(200);
    const rows = (body as { rows: CostExportRow[] }).rows.filter((row) => row.executionId === run.id);
    expect(body).toMatchObject({ from: day, to: day });
    expect(rows).toEqual(
      run.costs.map((cost) => ({
        executionId: run.id,
        agentId: run.agentId,
        agentName: AGENT_NAME,
        status: 'completed',
        createdAt: new Date(run.createdAt).toISOString(),
        model: cost.model,
        inputTokens: cost.inputTokens,
        outputTokens: cost.outputTokens,
        cacheCreation5mTokens: cost.cacheCreation5mTokens,
        cacheCreation1hTokens: cost.cacheCreation1hTokens,
        cacheReadTokens: cost.cacheReadTokens,
        costUsd: cost.costUsd,
        reportedCostUsd: cost.reportedCostUsd,
        unpriced: false,
      })),
    );
    expect(rows[0]).toMatchObject({ inputTokens: 1200, outputTokens: 40, cacheReadTokens: 300 });
  });

  it('leaves out runs outside the range', async () => {
    const daysBefore = (days: number) =>
      new Date(Date.parse(day) - days * 86_400_000).toISOString().slice(0, 10);
    const { status, body } = await stack.api.call(
      'GET',
      exportPath({ from: daysBefore(30), to: daysBefore(1) }),
    );
    expect(status).toBe(200);
    expect((body as { rows: CostExportRow[] }).rows.some((row) => row.executionId === run.id)).toBe(false);
  });

  it.each([
    ['from after to', { from: '2026-03-02', to: '2026-03-01' }, 'to', 'Must not be before from'],
    ['a date that does not exist', { from: '2026-02-30', to: '2026-03-01' }, 'from', 'YYYY-MM-DD'],
    ['a date with a time', { from: '2026-03-01T00:00:00Z', to: '2026-03-01' }, 'from', 'YYYY-MM-DD'],
    ['a missing date', { from: '2026-03-01' }, 'to', 'YYYY-MM-DD'],
    ['more than 366 days', { from: '2025-01-01', to: '2026-01-02' }, 'to', '366 days'],
    ['an unknown format', { from: '2026-03-01', to: '2026-03-01', format: 'xlsx' }, 'format', 'csv'],
    ['an unknown parameter', { from: '2026-03-01', to: '2026-03-01', agent: '1' }, '(root)', '"agent"'],
  ])('refuses %s with a 400 JSON error naming the field', async (_, query, path, message) => {
    const answer = await rawRequest(stack.app.url, { path: exportPath(query), headers: BEARER });
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    const { error } = JSON.parse(answer.body) as {
      error: { code: string; message: string; issues: { path: string; message: string }[] };
    };
    expect(error.code).toBe('invalid_request');
    expect(error.message).toBe(`Invalid query: ${path} ${error.issues[0]?.message}`);
    expect(error.issues[0]).toMatchObject({ path, message: expect.stringContaining(message) });
  });
});

describe('GET /api/costs', () => {
  it("includes the run in the month's spend, the agent's spend and the top runs", async () => {
    const { status, body } = await stack.api.call('GET', '/api/costs');
    expect(status).toBe(200);
    const overview = (body as { overview: CostOverviewDto }).overview;
    expect(overview.monthToDate.spentUsd).toBeGreaterThanOrEqual(run.costUsd);
    expect(overview.byAgent.find((agent) => agent.agentId === run.agentId)?.costUsd).toBe(run.costUsd);
    expect(overview.topExecutions.map((execution) => execution.id)).toContain(run.id);
    expect(overview.daily).toHaveLength(90);
    expect(overview.daily.find((spend) => spend.day === day)?.costUsd).toBeGreaterThanOrEqual(run.costUsd);
  });
});

describe('without credentials', () => {
  it.each(['/api/costs', exportPath({ from: '2026-03-01', to: '2026-03-01', format: 'csv' })])(
    '%s answers 401',
    async (path) => {
      const answer = await rawRequest(stack.app.url, { path });
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'unauthorized' } });
    },
  );
});
