import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentDto } from '../../src/lib/contracts/agents';
import { setUpTestStack } from '../helpers/stack';

const stack = setUpTestStack({ beforeAll, afterAll });

const valid = { name: 'Reporter', model: 'claude-sonnet-4-5', defaultPrompt: 'Report.' };

async function agents(): Promise<AgentDto[]> {
  return ((await stack.api.call('GET', '/api/agents')).body as { items: AgentDto[] }).items;
}

describe('agents API', () => {
  it('seeds the System Health Reporter on first start, with read-only Bash only', async () => {
    const health = (await agents()).find((a) => a.name === 'System Health Reporter');
    expect(health).toBeDefined();
    expect(health?.builtin).toBe(true);
    expect(health?.allowedTools.length).toBeGreaterThan(0);
    expect(
      health?.allowedTools.every((tool) => /^Bash\(.+\)$/.test(tool) || tool === 'Read(//proc/**)'),
    ).toBe(true);
    expect(fs.existsSync(stack.app.databasePath)).toBe(true);
  });

  it('creates, reads, updates and deletes an agent', async () => {
    const created = await stack.api.call('POST', '/api/agents', {
      ...valid,
      allowedTools: ['Bash(ls:*)', 'Read'],
    });
    expect(created.status).toBe(201);
    const agent = (created.body as { agent: AgentDto }).agent;
    expect(agent).toMatchObject({
      ...valid,
      allowedTools: ['Bash(ls:*)', 'Read'],
      maxTurns: 10,
      builtin: false,
    });

    expect((await stack.api.call('GET', `/api/agents/${agent.id}`)).body).toEqual({
      agent,
      recentDenials: { runs: 0, runsWithDenials: 0, deniedToolCalls: 0, tools: [] },
    });
    const patched = await stack.api.call('PATCH', `/api/agents/${agent.id}`, {
      maxTurns: 3,
      description: 'nightly',
    });
    expect(patched.status).toBe(200);
    expect((patched.body as { agent: AgentDto }).agent).toMatchObject({
      maxTurns: 3,
      description: 'nightly',
      name: 'Reporter',
    });

    expect((await stack.api.call('DELETE', `/api/agents/${agent.id}`)).status).toBe(204);
    expect((await stack.api.call('GET', `/api/agents/${agent.id}`)).status).toBe(404);
    expect((await agents()).some((a) => a.id === agent.id)).toBe(false);
    // The name is free again once the agent is gone.
    expect((await stack.api.call('POST', '/api/agents', valid)).status).toBe(201);
  });

  const badBodies: [string, unknown, string][] = [
    ['missing name', { model: 'm', defaultPrompt: 'p' }, 'name'],
    ['empty name', { ...valid, name: '   ' }, 'name'],
    ['max turns zero', { ...valid, name: 'x1', maxTurns: 0 }, 'maxTurns'],
    ['max turns not a number', { ...valid, name: 'x2', maxTurns: '5' }, 'maxTurns'],
    ['fractional timeout', { ...valid, name: 'x3', timeoutSeconds: 12.5 }, 'timeoutSeconds'],
    ['relative working directory', { ...valid, name: 'x4', workingDirectory: 'tmp' }, 'workingDirectory'],
    [
      'missing working directory',
      { ...valid, name: 'x5', workingDirectory: '/no/such/dir' },
      'workingDirectory',
    ],
    ['tool that is not a tool', { ...valid, name: 'x6', allowedTools: ['rm -rf /'] }, 'allowedTools.0'],
    ['model with spaces', { ...valid, name: 'x7', model: 'claude sonnet' }, 'model'],
    ['unknown field', { ...valid, name: 'x8', isAdmin: true }, '(root)'],
    ['array body', [valid], '(root)'],
  ];

  it.each(badBodies)(
    'rejects %s with a 400 naming the field and changes nothing',
    async (_case, body, path) => {
      const before = await agents();
      const response = await stack.api.call('POST', '/api/agents', body);
      expect(response.status).toBe(400);
      const error = (response.body as { error: { code: string; issues: { path: string }[] } }).error;
      expect(error.code).toBe('invalid_request');
      expect(error.issues.map((i) => i.path)).toContain(path);
      expect(await agents()).toEqual(before);
    },
  );

  it('rejects malformed JSON, a duplicate name, bad ids and unknown ids without changing anything', async () => {
    const before = await agents();
    const invalidJson = await stack.api.call('POST', '/api/agents', '{"name": ');
    expect(invalidJson).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });

    const duplicate = await stack.api.call('POST', '/api/agents', {
      ...valid,
      name: 'System Health Reporter',
    });
    expect(duplicate).toMatchObject({
      status: 409,
      body: { error: { code: 'conflict', issues: [{ path: 'name' }] } },
    });

    for (const id of ['abc', '0', '-1', '1.5', '99999999999999999999']) {
      const response = await stack.api.call('GET', `/api/agents/${id}`);
      expect(response).toMatchObject({ status: 400, body: { error: { issues: [{ path: 'id' }] } } });
    }
    expect(await stack.api.call('GET', '/api/agents/424242')).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found' } },
    });
    expect((await stack.api.call('PATCH', '/api/agents/424242', { maxTurns: 2 })).status).toBe(404);
    expect((await stack.api.call('DELETE', '/api/agents/424242')).status).toBe(404);
    expect((await stack.api.call('PATCH', `/api/agents/${before[0]?.id}`, {})).status).toBe(400);
    expect((await stack.api.call('PATCH', `/api/agents/${before[0]?.id}`, { maxTurns: 500 })).status).toBe(
      400,
    );
    expect(await agents()).toEqual(before);
  });

  it('rejects bad execution requests with 400/404 and starts nothing', async () => {
    const cases: [unknown, number][] = [
      [{}, 400],
      [{ agentId: 'one' }, 400],
      [{ agentId: 1, prompt: '' }, 400],
      [{ agentId: 1, extra: 1 }, 400],
      [{ agentId: 424242 }, 404],
    ];
    for (const [body, status] of cases) {
      expect((await stack.api.call('POST', '/api/executions', body)).status).toBe(status);
    }
    for (const query of ['status=bogus', 'limit=0', 'limit=1000', 'agentId=x', 'nope=1']) {
      expect((await stack.api.call('GET', `/api/executions?${query}`)).status).toBe(400);
    }
    expect((await stack.api.call('GET', '/api/executions/424242')).status).toBe(404);
    const list = (await stack.api.call('GET', '/api/executions')).body as { items: unknown[] };
    expect(list.items).toEqual([]);
    expect(stack.model.requests).toHaveLength(0);
  });
});
