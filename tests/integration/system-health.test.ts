import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentDto } from '../../src/lib/contracts/agents';
import { structuredOutputTurn } from '../helpers/scriptedModelServer';
import { setUpTestStack } from '../helpers/stack';

const stack = setUpTestStack({ beforeAll, afterAll });

let health: AgentDto;

beforeAll(async () => {
  const { items } = (await stack.api.call('GET', '/api/agents')).body as { items: AgentDto[] };
  const found = items.find((a) => a.name === 'System Health Reporter');
  if (!found) throw new Error('System Health Reporter was not seeded');
  health = found;
});

function toolResults(executionId: number): { isError: number; output: string }[] {
  const db = new Database(stack.app.databasePath, { readonly: true });
  const rows = db
    .prepare(
      // The answer itself is a StructuredOutput tool call; only the inspection tools' results count here.
      `select is_error as isError, payload from execution_steps
       where execution_id = ? and kind = 'tool_result' and tool_name is not 'StructuredOutput' order by seq`,
    )
    .all(executionId) as { isError: number; payload: string }[];
  db.close();
  return rows.map((r) => ({
    isError: r.isError,
    output: (JSON.parse(r.payload) as { output: string }).output,
  }));
}

const OK_REPORT = {
  status: 'ok',
  summary: 'Load is low.',
  findings: [{ area: 'load', severity: 'info', message: 'Load average well below the cores' }],
  recommendations: [],
};

describe('System Health Reporter', () => {
  it('runs read-only inspection commands and answers with a report', async () => {
    const key = '[script:health-ok]';
    stack.model.script(key, [
      { content: [{ type: 'tool_use', name: 'Bash', input: { command: 'uptime' } }] },
      { content: [{ type: 'tool_use', name: 'Bash', input: { command: 'cat /proc/loadavg' } }] },
      structuredOutputTurn(OK_REPORT),
    ]);
    const id = await stack.api.startExecution(health.id, `Check the machine ${key}`);
    const execution = await stack.api.waitForEnd(id);
    expect(execution.status).toBe('completed');
    expect(execution.structuredOutput).toEqual(OK_REPORT);
    const [uptime, loadavg] = toolResults(id);
    expect(uptime).toMatchObject({ isError: 0 });
    expect(uptime?.output).toMatch(/load average/);
    expect(loadavg?.output).toMatch(/^\d+\.\d+ \d+\.\d+ \d+\.\d+/);
  });

  it('refuses commands that could change the machine', async () => {
    const victim = fs.mkdtempSync(path.join(os.tmpdir(), 'health-victim-'));
    const key = '[script:health-deny]';
    stack.model.script(key, [
      { content: [{ type: 'tool_use', name: 'Bash', input: { command: `rm -rf ${victim}` } }] },
      { content: [{ type: 'tool_use', name: 'Bash', input: { command: `uptime; touch ${victim}/owned` } }] },
      { content: [{ type: 'tool_use', name: 'Write', input: { file_path: `${victim}/x`, content: 'x' } }] },
      structuredOutputTurn(OK_REPORT),
    ]);
    const id = await stack.api.startExecution(health.id, `Check the machine ${key}`);
    await stack.api.waitForEnd(id);
    const results = toolResults(id);
    expect(results).toHaveLength(3);
    expect(results.every((r) => r.isError === 1)).toBe(true);
    expect(fs.existsSync(victim)).toBe(true);
    expect(fs.readdirSync(victim)).toEqual([]);
    fs.rmSync(victim, { recursive: true });
  });
});

describe('System Health Reporter: structured reports', () => {
  const WARNING = {
    status: 'warning',
    summary: 'The root disk fills within ten days.',
    findings: [
      {
        area: 'disk /',
        severity: 'warning',
        message: '80% full, growing 2 GiB a day',
        evidence: 'disk_forecast',
      },
      { area: 'memory', severity: 'info', message: '25% available' },
    ],
    recommendations: ['Clear old logs under /var/log'],
  };

  it('reads the recorded metrics through its tools and files a warning with two findings, kept and served', async () => {
    const key = '[script:health-warning]';
    stack.model.script(key, [
      { content: [{ type: 'tool_use', name: 'mcp__claudeops__current_metrics', input: {} }] },
      { content: [{ type: 'tool_use', name: 'mcp__claudeops__claudeops_activity', input: {} }] },
      structuredOutputTurn(WARNING),
    ]);
    const id = await stack.api.startExecution(health.id, `Check the machine ${key}`);
    expect((await stack.api.waitForEnd(id)).status).toBe('completed');
    const [metrics, activity] = toolResults(id);
    expect(metrics).toMatchObject({ isError: 0 });
    expect(metrics?.output).toMatch(/"cpuBusyPercent"/);
    expect(activity?.output).toMatch(/"spendMonthToDateUsd"/);

    const { body } = await stack.api.call('GET', '/api/health-reports/latest');
    expect(body).toMatchObject({
      report: { executionId: id, status: 'warning', report: WARNING, rawAnswer: null },
    });
    const list = await stack.api.call('GET', '/api/health-reports?limit=1');
    expect(list.body).toMatchObject({ items: [{ executionId: id, status: 'warning' }] });
  });

  it('keeps a run whose answer breaks the schema every time as “no valid report”, never as ok', async () => {
    const key = '[script:health-invalid]';
    stack.model.script(key, [structuredOutputTurn({ status: 'fine', summary: 'all good' })], {
      repeatLast: true,
    });
    const id = await stack.api.startExecution(health.id, `Check the machine ${key}`);
    const execution = await stack.api.waitForEnd(id);
    expect(execution.status).toBe('failed');
    const { body } = await stack.api.call('GET', '/api/health-reports/latest');
    expect(body).toMatchObject({ report: { executionId: id, status: 'invalid', report: null } });
    expect((body as { report: { rawAnswer: string } }).report.rawAnswer).toBeTruthy();
  });

  it('cannot change the database, through its tools or through Bash', async () => {
    const dbPath = stack.app.databasePath;
    const snapshot = () => {
      const db = new Database(dbPath, { readonly: true });
      const tables = db.prepare("select name from sqlite_master where type = 'table' order by name").all();
      const agents = db.prepare('select * from agent_configurations order by id').all();
      const runs = (db.prepare('select count(*) as n from executions').get() as { n: number }).n;
      db.close();
      return { tables, agents, runs };
    };
    const before = snapshot();
    const key = '[script:health-write]';
    stack.model.script(key, [
      {
        content: [
          {
            type: 'tool_use',
            name: 'mcp__claudeops__metric_stats',
            input: { window: "1h'; DELETE FROM agent_configurations; --" },
          },
        ],
      },
      {
        content: [
          {
            type: 'tool_use',
            name: 'mcp__claudeops__top_processes',
            input: { limit: '1; DROP TABLE executions' },
          },
        ],
      },
      {
        content: [
          {
            type: 'tool_use',
            name: 'Bash',
            input: { command: `sqlite3 ${dbPath} 'DELETE FROM agent_configurations'` },
          },
        ],
      },
      { content: [{ type: 'tool_use', name: 'Bash', input: { command: `rm -f ${dbPath}` } }] },
      structuredOutputTurn(OK_REPORT),
    ]);
    const id = await stack.api.startExecution(health.id, `Check the machine ${key}`);
    await stack.api.waitForEnd(id);
    const results = toolResults(id);
    expect(results).toHaveLength(4);
    expect(results.every((r) => r.isError === 1)).toBe(true);
    expect(fs.existsSync(dbPath)).toBe(true);
    const after = snapshot();
    expect(after.tables).toEqual(before.tables);
    expect(after.agents).toEqual(before.agents);
    expect(after.runs).toBe(before.runs + 1);
  });
});
