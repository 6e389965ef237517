import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BEARER } from '../helpers/appServer';
import { agentPids } from '../helpers/processes';
import type { ScriptedTurn } from '../helpers/scriptedModelServer';
import { setUpTestStack } from '../helpers/stack';

const stack = setUpTestStack({ beforeAll, afterAll });

const SONNET = 'claude-sonnet-4-5';
const HAIKU = 'claude-haiku-4-5';

/**
 * Published list prices in $ per million tokens (= micro-dollars per token), typed from
 * https://platform.claude.com/docs/en/about-claude/pricing, independently of the price table.
 */
const PUBLISHED = {
  [SONNET]: { input: 3, output: 15, cacheWrite5m: 3.75, cacheWrite1h: 6, cacheRead: 0.3 },
  [HAIKU]: { input: 1, output: 5, cacheWrite5m: 1.25, cacheWrite1h: 2, cacheRead: 0.1 },
};

interface Usage {
  input: number;
  output: number;
  write5m: number;
  write1h: number;
  read: number;
}

const microsFor = (model: keyof typeof PUBLISHED, u: Usage) => {
  const p = PUBLISHED[model];
  return Math.round(
    u.input * p.input +
      u.output * p.output +
      u.write5m * p.cacheWrite5m +
      u.write1h * p.cacheWrite1h +
      u.read * p.cacheRead,
  );
};

const turnUsage = (u: Usage) => ({
  input_tokens: u.input,
  output_tokens: u.output,
  cache_creation_input_tokens: u.write5m + u.write1h,
  cache_read_input_tokens: u.read,
  cache_creation: { ephemeral_5m_input_tokens: u.write5m, ephemeral_1h_input_tokens: u.write1h },
});

interface CostRow {
  model: string;
  input_tokens: number;
  output_tokens: number;
  cache_creation_5m_tokens: number;
  cache_creation_1h_tokens: number;
  cache_read_tokens: number;
  cost_micros: number;
  reported_cost_micros: number;
  cost_source: string;
  response_count: number;
  unpriced: number;
}

function costRows(executionId: number): CostRow[] {
  const db = new Database(stack.app.databasePath, { readonly: true });
  const rows = db
    .prepare('select * from cost_tracking where execution_id = ? order by model')
    .all(executionId) as CostRow[];
  db.close();
  return rows;
}

function summaryCost(agentId: number): number {
  const db = new Database(stack.app.databasePath, { readonly: true });
  const row = db
    .prepare('select coalesce(sum(cost_micros), 0) as cost from monthly_cost_summaries where agent_id = ?')
    .get(agentId) as { cost: number };
  db.close();
  return row.cost;
}

describe('cost accounting', () => {
  it('records every token kind per model, to the micro-dollar, in the rows, the API and the page', async () => {
    const key = '[script:cost-two-models]';
    const t1: Usage = { input: 1_200, output: 180, write5m: 2_000, write1h: 1_000, read: 0 };
    const t2: Usage = { input: 800, output: 90, write5m: 0, write1h: 0, read: 300 };
    const t3: Usage = { input: 1_500, output: 260, write5m: 0, write1h: 0, read: 3_000 };
    stack.model.script(key, [
      // Two content blocks: the SDK repeats this response's usage on both (one message id).
      {
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', name: 'Bash', input: { command: 'echo one' } },
        ],
        usage: turnUsage(t1),
      },
      // Answered by a second, smaller model.
      {
        model: HAIKU,
        content: [
          { type: 'text', text: 'Again.' },
          { type: 'tool_use', name: 'Bash', input: { command: 'echo two' } },
        ],
        usage: turnUsage(t2),
      },
      { content: [{ type: 'text', text: 'All done.' }], usage: turnUsage(t3) },
    ]);
    const agent = await stack.api.createAgent({
      model: SONNET,
      defaultPrompt: `Count ${key}`,
      allowedTools: ['Bash'],
    });
    const execution = await stack.api.waitForEnd(await stack.api.startExecution(agent.id));
    expect(execution.status).toBe('completed');

    const sonnetMicros = microsFor(SONNET, t1) + microsFor(SONNET, t3);
    const haikuMicros = microsFor(HAIKU, t2);
    const rows = costRows(execution.id);
    expect(rows).toEqual([
      expect.objectContaining({
        model: HAIKU,
        input_tokens: 800,
        output_tokens: 90,
        cache_creation_5m_tokens: 0,
        cache_creation_1h_tokens: 0,
        cache_read_tokens: 300,
        cost_micros: haikuMicros,
        cost_source: 'computed',
        response_count: 1,
        unpriced: 0,
      }),
      expect.objectContaining({
        model: SONNET,
        input_tokens: 2_700,
        output_tokens: 440,
        cache_creation_5m_tokens: 2_000,
        cache_creation_1h_tokens: 1_000,
        cache_read_tokens: 3_000,
        cost_micros: sonnetMicros,
        cost_source: 'computed',
        response_count: 2,
        unpriced: 0,
      }),
    ]);
    // The execution, the API's USD figure and the month's summary agree with the rows.
    expect(Math.round(execution.costUsd * 1_000_000)).toBe(sonnetMicros + haikuMicros);
    expect(summaryCost(agent.id)).toBe(sonnetMicros + haikuMicros);
    expect(execution.costs.map((c) => [c.model, c.costUsd, c.cacheCreation1hTokens])).toEqual([
      [HAIKU, haikuMicros / 1_000_000, 0],
      [SONNET, sonnetMicros / 1_000_000, 1_000],
    ]);
    // The CLI books the Haiku response under the requested model at Sonnet prices: both rows are
    // flagged as differing from the SDK's estimate by more than 1%, and the page says so.
    expect(execution.costs.map((c) => c.costMismatch)).toEqual([true, true]);
    console.log(
      `two-model run: computed ${sonnetMicros + haikuMicros} µ$, SDK reported ${rows.map((r) => `${r.model} ${r.reported_cost_micros}`).join(', ')} µ$`,
    );

    const html = await (
      await fetch(`${stack.app.url}/executions/${execution.id}`, { headers: BEARER })
    ).text();
    const usd = (micros: number) => `$${(micros / 1_000_000).toFixed(6)}`;
    expect(html).toContain(usd(sonnetMicros));
    expect(html).toContain(usd(haikuMicros));
    expect(html).toContain('differs from the SDK’s estimate by more than 1%');
  });
});

/** A model that keeps calling a tool, each response costing 5,000 × $3 + 500 × $15 per MTok = $0.0225. */
function endlessTurns(): ScriptedTurn[] {
  return [
    {
      content: [{ type: 'tool_use', name: 'Bash', input: { command: 'echo tick' } }],
      usage: { input_tokens: 5_000, output_tokens: 500 },
      // Streams slowly, so a stop at the start of a response lands before it completes.
      chunkDelayMs: 150,
    },
  ];
}
const RESPONSE_MICROS = 22_500;

describe('budgets', () => {
  it('stops a run at its $0.05 cap: budget_exceeded, spend within one response of the cap, no process left', async () => {
    const key = '[script:cap]';
    stack.model.script(key, endlessTurns(), { repeatLast: true });
    const agent = await stack.api.createAgent({
      defaultPrompt: `Loop ${key}`,
      allowedTools: ['Bash'],
      maxTurns: 50,
      maxCostPerRunUsd: 0.05,
    });
    expect(agent.maxCostPerRunUsd).toBe(0.05);

    const execution = await stack.api.waitForEnd(await stack.api.startExecution(agent.id));

    expect(execution.status).toBe('budget_exceeded');
    expect(execution.errorCode).toBe('budget_exceeded');
    expect(execution.errorMessage).toMatch(/per-run cap of \$0\.05: \$0\.\d{2} spent/);
    const spent = Math.round(execution.costUsd * 1_000_000);
    expect(spent).toBeGreaterThanOrEqual(50_000);
    expect(spent).toBeLessThanOrEqual(50_000 + RESPONSE_MICROS);
    expect(agentPids(stack.app.databasePath, execution.id)).toEqual([]);
    console.log(`$0.05 cap: stopped at ${spent} µ$ (${spent - 50_000} µ$ over the cap)`);
  });

  it('stops a model missing from the price table with the SDK’s own maxBudgetUsd, flagged unpriced, never $0', async () => {
    const key = '[script:unpriced-cap]';
    stack.model.script(key, endlessTurns(), { repeatLast: true });
    const agent = await stack.api.createAgent({
      model: 'claude-experimental-9',
      defaultPrompt: `Loop ${key}`,
      allowedTools: ['Bash'],
      maxTurns: 50,
      maxCostPerRunUsd: 0.05,
    });

    const execution = await stack.api.waitForEnd(await stack.api.startExecution(agent.id));

    // Our table cannot price it, so the live check sees $0; Claude Code's estimate stops it.
    expect(execution.status).toBe('budget_exceeded');
    expect(execution.errorMessage).toContain('maxBudgetUsd');
    const [row] = costRows(execution.id);
    expect(row).toMatchObject({ model: 'claude-experimental-9', unpriced: 1, cost_source: 'reported' });
    expect(row?.cost_micros).toBeGreaterThan(0);
    expect(row?.cost_micros).toBe(row?.reported_cost_micros);
    expect(agentPids(stack.app.databasePath, execution.id)).toEqual([]);
    const html = await (
      await fetch(`${stack.app.url}/executions/${execution.id}`, { headers: BEARER })
    ).text();
    expect(html).toContain('unpriced: not in the price table');
    console.log(
      `unpriced model under a $0.05 cap: the SDK stopped it at ${row?.cost_micros} µ$ (its estimate)`,
    );
  });

  it('refuses the next run of an agent whose monthly budget is spent (409 naming it), starting no process', async () => {
    const key = '[script:monthly]';
    stack.model.script(key, endlessTurns(), { repeatLast: true });
    const agent = await stack.api.createAgent({
      defaultPrompt: `Loop ${key}`,
      allowedTools: ['Bash'],
      maxTurns: 50,
    });
    const patched = await stack.api.call('PATCH', `/api/agents/${agent.id}`, { monthlyBudgetUsd: 0.03 });
    expect(patched.body).toMatchObject({ agent: { monthlyBudgetUsd: 0.03 } });

    const first = await stack.api.waitForEnd(await stack.api.startExecution(agent.id));
    expect(first.status).toBe('budget_exceeded');
    expect(first.errorMessage).toMatch(/monthly budget of agent .* \(\$0\.03\) is exhausted/);

    const requestsBefore = stack.model.requests.length;
    const refused = await stack.api.call('POST', '/api/executions', { agentId: agent.id });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      error: { code: 'budget_exhausted', budget: 'agent_monthly', limitUsd: 0.03 },
    });
    const list = await stack.api.call('GET', `/api/executions?agentId=${agent.id}`);
    expect((list.body as { items: unknown[] }).items).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stack.model.requests.length).toBe(requestsBefore);
  });

  it('refuses every run once the global monthly budget is spent, until it is raised', async () => {
    const key = '[script:global]';
    stack.model.script(key, [{ content: [{ type: 'text', text: 'ok' }] }], { repeatLast: true });
    const agent = await stack.api.createAgent({ defaultPrompt: `Hello ${key}` });
    // Earlier tests in this file spent more than a cent this month.
    expect((await stack.api.call('PATCH', '/api/settings', { monthlyBudgetUsd: 0.01 })).status).toBe(200);

    const refused = await stack.api.call('POST', '/api/executions', { agentId: agent.id });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: 'budget_exhausted', budget: 'global_monthly' } });

    await stack.api.call('PATCH', '/api/settings', { monthlyBudgetUsd: null });
    const execution = await stack.api.waitForEnd(await stack.api.startExecution(agent.id));
    expect(execution.status).toBe('completed');
  });

  it('rejects bad budget values with the field named', async () => {
    const agent = await stack.api.createAgent({ defaultPrompt: 'x' });
    for (const [field, value] of [
      ['maxCostPerRunUsd', -1],
      ['monthlyBudgetUsd', 0],
      ['monthlyBudgetUsd', '5'],
    ] as const) {
      const answer = await stack.api.call('PATCH', `/api/agents/${agent.id}`, { [field]: value });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: { issues: [{ path: field }] } });
    }
    const settings = await stack.api.call('PATCH', '/api/settings', { monthlyBudgetUsd: -5 });
    expect(settings.body).toMatchObject({ error: { issues: [{ path: 'monthlyBudgetUsd' }] } });
  });
});
