import fs from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../helpers/api';
import { TEST_ACCESS_TOKEN, TEST_API_KEY } from '../helpers/appServer';
import { cookieFrom, rawRequest } from '../helpers/rawHttp';
import { setUpTestStack } from '../helpers/stack';

const stack = setUpTestStack({ beforeAll, afterAll });

describe('an agent run through the real SDK', () => {
  it('records every step, log line, token and the reported cost, and ends completed', async () => {
    const key = '[script:run-1]';
    stack.model.script(key, [
      {
        content: [{ type: 'tool_use', name: 'Bash', input: { command: 'echo alpha; echo beta' } }],
        usage: {
          input_tokens: 1200,
          output_tokens: 40,
          cache_read_input_tokens: 300,
          cache_creation_input_tokens: 100,
        },
      },
      {
        content: [{ type: 'text', text: 'All done: alpha and beta.' }],
        usage: { input_tokens: 1300, output_tokens: 60, cache_read_input_tokens: 400 },
      },
    ]);
    const agent = await stack.api.createAgent({
      defaultPrompt: `Run the commands ${key}`,
      allowedTools: ['Bash'],
    });

    const id = await stack.api.startExecution(agent.id);
    const execution = await stack.api.waitForEnd(id);

    expect(execution.status).toBe('completed');
    expect(execution.resultText).toBe('All done: alpha and beta.');
    expect(execution.numTurns).toBe(2);
    expect(execution.apiKeySource).toBe('ANTHROPIC_API_KEY');
    expect(execution.inputTokens).toBe(2500);
    expect(execution.outputTokens).toBe(100);
    expect(execution.cacheReadTokens).toBe(700);
    expect(execution.cacheCreationTokens).toBe(100);
    expect(execution.costUsd).toBeGreaterThan(0);
    expect(execution.costs).toHaveLength(1);
    expect(execution.costs[0]).toMatchObject({
      model: 'claude-sonnet-4-5',
      inputTokens: 2500,
      outputTokens: 100,
    });
    expect(execution.durationMs).toBeGreaterThan(0);

    const db = new Database(stack.app.databasePath, { readonly: true });
    const steps = db
      .prepare(
        'select kind, tool_name as toolName, summary from execution_steps where execution_id = ? order by seq',
      )
      .all(id) as { kind: string; toolName: string | null; summary: string }[];
    expect(steps.map((s) => s.kind)).toEqual([
      'system',
      'tool_use',
      'tool_result',
      'assistant_text',
      'result',
    ]);
    expect(steps[1]).toMatchObject({ toolName: 'Bash', summary: 'Bash: echo alpha; echo beta' });
    expect(steps[2]).toMatchObject({ toolName: 'Bash', summary: 'alpha beta' });
    const lines = (
      db.prepare('select text from execution_logs where execution_id = ? order by seq').all(id) as {
        text: string;
      }[]
    ).map((l) => l.text);
    expect(lines).toContain('alpha');
    expect(lines).toContain('beta');
    expect(lines.indexOf('alpha')).toBeLessThan(lines.indexOf('beta'));
    const summary = db.prepare('select sum(cost_micros) as cost from monthly_cost_summaries').get() as {
      cost: number;
    };
    expect(summary.cost).toBe(Math.round(execution.costUsd * 1_000_000));
    db.close();
  });

  it('lists executions filtered by agent and status, newest first, paged', async () => {
    const key = '[script:list]';
    stack.model.script(key, [{ content: [{ type: 'text', text: 'ok' }] }], { repeatLast: true });
    const agent = await stack.api.createAgent({ defaultPrompt: `Say ok ${key}` });
    const ids = [
      await stack.api.startExecution(agent.id),
      await stack.api.startExecution(agent.id),
      await stack.api.startExecution(agent.id),
    ];
    for (const id of ids) await stack.api.waitForEnd(id);

    const first = await stack.api.call('GET', `/api/executions?agentId=${agent.id}&status=completed&limit=2`);
    expect(first.status).toBe(200);
    const page1 = first.body as { items: { id: number }[]; nextBefore: number | null };
    expect(page1.items.map((e) => e.id)).toEqual([ids[2], ids[1]]);
    const second = await stack.api.call(
      'GET',
      `/api/executions?agentId=${agent.id}&limit=2&before=${page1.nextBefore}`,
    );
    const page2 = second.body as { items: { id: number }[]; nextBefore: number | null };
    expect(page2.items.map((e) => e.id)).toEqual([ids[0]]);
    expect(page2.nextBefore).toBeNull();
  });

  it('records what started a run: the Bearer token is `api`, the page’s session `manual`; the list filters by it', async () => {
    const key = '[script:trigger]';
    stack.model.script(key, [{ content: [{ type: 'text', text: 'ok' }] }], { repeatLast: true });
    const agent = await stack.api.createAgent({ defaultPrompt: `Say ok ${key}` });
    const viaApi = await stack.api.startExecution(agent.id);
    const signIn = await rawRequest(stack.app.url, {
      method: 'POST',
      path: '/api/auth/session',
      headers: { origin: stack.app.url },
      body: JSON.stringify({ token: TEST_ACCESS_TOKEN }),
    });
    const page = apiClient(stack.app.url, { cookie: cookieFrom(signIn), origin: stack.app.url });
    const fromPage = await page.startExecution(agent.id);
    for (const id of [viaApi, fromPage]) await stack.api.waitForEnd(id);

    expect((await stack.api.getExecution(viaApi)).trigger).toBe('api');
    expect((await stack.api.getExecution(fromPage)).trigger).toBe('manual');
    const apiRuns = await stack.api.call('GET', `/api/executions?agentId=${agent.id}&trigger=api`);
    expect((apiRuns.body as { items: { id: number }[] }).items.map((e) => e.id)).toEqual([viaApi]);
    const bad = await stack.api.call('GET', '/api/executions?trigger=cron');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { issues: [{ path: 'trigger' }] } });
  });

  it('keeps the API key out of the database, the log and every response', async () => {
    const raw = fs.readFileSync(stack.app.databasePath);
    expect(raw.includes(Buffer.from(TEST_API_KEY))).toBe(false);
    expect(stack.app.output()).not.toContain(TEST_API_KEY);
    const list = await stack.api.call('GET', '/api/executions?limit=100');
    expect(JSON.stringify(list.body)).not.toContain(TEST_API_KEY);
  });
});
