import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentDto } from '../../src/lib/contracts/agents';
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
      `select is_error as isError, payload from execution_steps where execution_id = ? and kind = 'tool_result' order by seq`,
    )
    .all(executionId) as { isError: number; payload: string }[];
  db.close();
  return rows.map((r) => ({
    isError: r.isError,
    output: (JSON.parse(r.payload) as { output: string }).output,
  }));
}

describe('System Health Reporter', () => {
  it('runs read-only inspection commands and answers with a report', async () => {
    const key = '[script:health-ok]';
    stack.model.script(key, [
      { content: [{ type: 'tool_use', name: 'Bash', input: { command: 'uptime' } }] },
      { content: [{ type: 'tool_use', name: 'Bash', input: { command: 'cat /proc/loadavg' } }] },
      { content: [{ type: 'text', text: 'Overall: OK — load is low.' }] },
    ]);
    const id = await stack.api.startExecution(health.id, `Check the machine ${key}`);
    const execution = await stack.api.waitForEnd(id);
    expect(execution.status).toBe('completed');
    expect(execution.resultText).toBe('Overall: OK — load is low.');
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
      { content: [{ type: 'text', text: 'Overall: OK' }] },
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
