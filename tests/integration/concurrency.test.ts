import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionSummary } from '../../src/lib/contracts/executions';
import { runningExecutionIds } from '../helpers/processes';
import { setUpTestStack } from '../helpers/stack';

const stack = setUpTestStack({ beforeAll, afterAll });

/** Samples which executions have live agent processes until `done` settles; returns the largest set seen. */
async function sampleConcurrency(done: Promise<unknown>): Promise<number> {
  let settled = false;
  void done.finally(() => {
    settled = true;
  });
  let most = 0;
  while (!settled) {
    most = Math.max(most, runningExecutionIds(stack.app.databasePath).size);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return most;
}

async function list(agentId: number): Promise<ExecutionSummary[]> {
  const { body } = await stack.api.call('GET', `/api/executions?agentId=${agentId}&limit=100`);
  return (body as { items: ExecutionSummary[] }).items;
}

describe('concurrency limits', () => {
  it('runs ten submitted at once at most two at a time, in FIFO order, showing queue positions', async () => {
    expect((await stack.api.call('PATCH', '/api/settings', { maxConcurrentRuns: 2 })).body).toMatchObject({
      settings: { maxConcurrentRuns: 2 },
    });
    const key = '[script:ten]';
    stack.model.script(key, [{ content: [{ type: 'text', text: 'done' }], delayMs: 600 }], {
      repeatLast: true,
    });
    const agent = await stack.api.createAgent({ defaultPrompt: `Work ${key}`, maxConcurrentRuns: 10 });

    const ids: number[] = [];
    for (let i = 0; i < 10; i++) ids.push(await stack.api.startExecution(agent.id));
    const waiting = (await list(agent.id)).filter((e) => e.status === 'queued').sort((a, b) => a.id - b.id);
    expect(waiting.length).toBeGreaterThanOrEqual(6);
    expect(waiting.map((e) => e.queuePosition)).toEqual(waiting.map((_, index) => index + 1));

    const most = await sampleConcurrency(Promise.all(ids.map((id) => stack.api.waitForEnd(id, 60_000))));
    expect(most).toBeLessThanOrEqual(2);
    expect(most).toBeGreaterThan(0);

    const finished = (await list(agent.id)).sort((a, b) => a.id - b.id);
    expect(finished.map((e) => e.status)).toEqual(Array(10).fill('completed'));
    const startOrder = [...finished].sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0)).map((e) => e.id);
    expect(startOrder).toEqual(ids);
  }, 120_000);

  it('holds an agent to its own limit, and a queued run can be cancelled before it starts', async () => {
    await stack.api.call('PATCH', '/api/settings', { maxConcurrentRuns: 4 });
    const key = '[script:per-agent]';
    stack.model.script(key, [{ content: [{ type: 'text', text: 'done' }], delayMs: 800 }], {
      repeatLast: true,
    });
    const agent = await stack.api.createAgent({ defaultPrompt: `Work ${key}`, maxConcurrentRuns: 1 });
    const ids = [
      await stack.api.startExecution(agent.id),
      await stack.api.startExecution(agent.id),
      await stack.api.startExecution(agent.id),
    ];
    const last = ids[2] ?? 0;
    expect((await stack.api.getExecution(last)).queuePosition).toBe(2);
    expect((await stack.api.call('POST', `/api/executions/${last}/cancel`)).status).toBe(202);

    const most = await sampleConcurrency(Promise.all(ids.map((id) => stack.api.waitForEnd(id, 60_000))));
    expect(most).toBe(1);
    const cancelled = await stack.api.getExecution(last);
    expect(cancelled).toMatchObject({ status: 'cancelled', startedAt: null, queuePosition: null });
    expect((await stack.api.getExecution(ids[1] ?? 0)).status).toBe('completed');
  }, 120_000);
});
