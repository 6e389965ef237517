import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { SettingsResponse } from '../../src/lib/contracts/settings';
import { apiClient } from '../helpers/api';
import { startAppServer } from '../helpers/appServer';
import { structuredOutputTurn } from '../helpers/scriptedModelServer';
import { setUpTestStack } from '../helpers/stack';
import { statusesOf, stepOf, workflowApi } from '../helpers/workflowApi';

const stack = setUpTestStack({ beforeAll, afterAll });

interface ErrorAnswer {
  error: { code: string; message: string; issues?: { path: string; message: string }[] };
}
const issuesOf = (body: unknown) => (body as ErrorAnswer).error.issues ?? [];

describe('names and other one-line fields', () => {
  it.each([
    [
      'POST',
      '/api/agents',
      { name: 'nightly\u0000report', model: 'claude-sonnet-4-5', defaultPrompt: 'p' },
      'name',
    ],
    [
      'POST',
      '/api/agents',
      { name: 'ok', model: 'claude-sonnet-4-5', defaultPrompt: 'p\u001b[2J' },
      'defaultPrompt',
    ],
    ['POST', '/api/schedules', { agentId: 1, cronExpression: '@daily', name: 'evil\u202Etxt.exe' }, 'name'],
    ['POST', '/api/workflows', { name: '\u2066wf', steps: [{ key: 'a', agentId: 1, prompt: 'p' }] }, 'name'],
    [
      'POST',
      '/api/notification-channels',
      { type: 'webhook', name: 'ops\u0085', url: 'https://example.com/hook', events: ['run.failed'] },
      'name',
    ],
  ])(
    '%s %s refuses a control character in %j with a 400 naming %s, and stores nothing',
    async (method, path, body, field) => {
      const before = await stack.api.call('GET', path);
      const { status, body: answer } = await stack.api.call(method, path, body);
      expect(status).toBe(400);
      expect(issuesOf(answer)[0]).toMatchObject({
        path: field,
        message: expect.stringMatching(/^Contains the invisible character U\+/),
      });
      expect((await stack.api.call('GET', path)).body).toEqual(before.body);
    },
  );

  it('a prompt keeps its tabs and line breaks', async () => {
    const agent = await stack.api.createAgent({ defaultPrompt: 'Step 1:\tlook\nStep 2:\tfix' });
    expect(agent.defaultPrompt).toBe('Step 1:\tlook\nStep 2:\tfix');
  });
});

describe('channel URLs with credentials', () => {
  it('refuses a user and password in the URL with a 400 that says where they go instead', async () => {
    const { status, body } = await stack.api.call('POST', '/api/notification-channels', {
      type: 'ntfy',
      name: 'with-credentials',
      url: 'https://ops:hunter2@ntfy.example.com/alerts',
      events: ['run.failed'],
    });
    expect(status).toBe(400);
    expect(issuesOf(body)[0]).toEqual({
      path: 'url',
      message:
        'Take the user and password out of the URL: they would be stored and shown in the clear. ntfy takes an access token in the token field; webhooks are signed with their own secret instead.',
    });
    expect(JSON.stringify((await stack.api.call('GET', '/api/notification-channels')).body)).not.toContain(
      'hunter2',
    );
    expect(stack.app.output()).not.toContain('hunter2');
  });
});

describe('workflow templates', () => {
  it('refuses a run request whose input makes a prompt pass the limit, naming the step and the limit', async () => {
    const agent = await stack.api.createAgent({ defaultPrompt: 'unused' });
    const workflows = workflowApi(stack.api);
    const workflow = await workflows.create({
      name: 'repeats its input',
      inputs: [{ name: 'x' }],
      steps: [{ key: 'loud', agentId: agent.id, prompt: '{{input.x}}'.repeat(4_500) }],
    });
    const { status, body } = await stack.api.call('POST', `/api/workflows/${workflow.id}/runs`, {
      input: { x: 'y'.repeat(50_000) },
    });
    expect(status).toBe(400);
    expect(issuesOf(body)).toEqual([
      {
        path: 'input',
        message: 'Step "loud": its prompt would be 225,000,000 characters, over the limit of 50,000',
      },
    ]);
    const runs = await stack.api.call('GET', `/api/workflow-runs?workflowId=${workflow.id}`);
    expect((runs.body as { items: unknown[] }).items).toEqual([]);
  });

  it('passes a step’s structured output on: {{steps.health.output.status}} is "warning" in the next prompt', async () => {
    const { model, api } = stack;
    const health = (await api.healthReporter()).id;
    const writer = await api.createAgent({ defaultPrompt: 'unused' });
    model.script('[script:wf-health]', [
      structuredOutputTurn({ status: 'warning', summary: 'Disk filling', findings: [], recommendations: [] }),
    ]);
    model.script('[script:wf-writer]', [{ content: [{ type: 'text', text: 'written' }] }]);
    const workflows = workflowApi(api);
    const workflow = await workflows.create({
      name: 'health then report',
      steps: [
        { key: 'health', agentId: health, prompt: 'Check [script:wf-health]' },
        {
          key: 'report',
          agentId: writer.id,
          prompt:
            'Status is {{steps.health.output.status}}; load {{steps.health.output.figures.load1 | default: "unknown"}} [script:wf-writer]',
          dependsOn: ['health'],
        },
      ],
    });
    const ended = await workflows.waitFor((await workflows.start(workflow.id)).id);
    expect(statusesOf(ended)).toEqual({ health: 'completed', report: 'completed' });
    expect(stepOf(ended, 'report').missingValues).toEqual(['steps.health.output.figures.load1']);
    const asked = model.requests.find((request) => request.key === '[script:wf-writer]');
    expect(JSON.stringify(asked?.body)).toContain('Status is warning; load unknown');
  });

  it('refuses at save time a path the agent’s output cannot have', async () => {
    const health = (await stack.api.healthReporter()).id;
    const { status, body } = await stack.api.call('POST', '/api/workflows', {
      name: 'typo',
      steps: [
        { key: 'health', agentId: health, prompt: 'Check' },
        {
          key: 'next',
          agentId: health,
          prompt: 'It said {{steps.health.output.statsu}}',
          dependsOn: ['health'],
        },
      ],
    });
    expect(status).toBe(400);
    expect(issuesOf(body)[0]).toEqual({
      path: 'steps.1.prompt',
      message:
        '{{steps.health.output.statsu}}: no "statsu" in the output (it has status, summary, findings, recommendations, figures)',
    });
  });
});

describe('a corrupted settings row', () => {
  it('falls back for that field alone, says so in GET /api/settings and once in the start-up log; the budget stays', async () => {
    const { model } = stack;
    const app = await startAppServer({ modelServerUrl: model.url });
    onTestFinished(async () => {
      await app.stop();
    });
    const api = apiClient(app.url);
    await api.call('PATCH', '/api/settings', { monthlyBudgetUsd: 100, maxConcurrentRuns: 3 });
    await app.stop();

    // Written as a person with the sqlite3 shell (or a half-finished write) would leave it.
    const db = new Database(app.databasePath);
    db.prepare("update app_settings set value = '{\"half' where key = 'app.maxConcurrentRuns'").run();
    db.close();

    const again = await startAppServer({ modelServerUrl: model.url, dataDir: app.dataDir });
    onTestFinished(async () => {
      await again.stop();
    });
    const answer = (await apiClient(again.url).call('GET', '/api/settings')).body as SettingsResponse;
    expect(answer.settings).toMatchObject({ monthlyBudgetUsd: 100, maxConcurrentRuns: 2 });
    expect(answer.fallbacks).toEqual([
      {
        field: 'maxConcurrentRuns',
        stored: '{"half',
        used: 2,
        problem: 'Not readable (not JSON: written by hand, or cut short)',
      },
    ]);
    const warnings = again
      .output()
      .split('\n')
      .filter((line) => line.includes('setting maxConcurrentRuns is stored as'));
    expect(warnings).toHaveLength(1);

    // Another field saved: the bad one is neither fixed nor overwritten behind the user's back.
    const patched = await apiClient(again.url).call('PATCH', '/api/settings', { circuitBreakerThreshold: 7 });
    expect((patched.body as SettingsResponse).fallbacks.map((fallback) => fallback.field)).toEqual([
      'maxConcurrentRuns',
    ]);
    const fixed = await apiClient(again.url).call('PATCH', '/api/settings', { maxConcurrentRuns: 4 });
    expect(fixed.body).toMatchObject({
      settings: { maxConcurrentRuns: 4, monthlyBudgetUsd: 100 },
      fallbacks: [],
    });
  });
});
