import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { CreateAgentInput } from '../../src/lib/contracts/agents';
import { execute, type Plan, rowsOf, transaction } from '../../src/lib/db/plan';
import {
  createAgent,
  getAgentById,
  getAgentRow,
  getBuiltinAgent,
  hasBuiltinAgent,
  isAgentNameTaken,
  listAgents,
  listLiveAgentIds,
  rememberAgentRules,
  requireAgent,
  softDeleteAgent,
  updateAgent,
} from '../../src/lib/db/queries/agents';
import type { Store } from '../../src/lib/db/store';
import { describeOnEachDialect } from '../helpers/stores';

// The agent queries on both dialects: the list, reads, name checks, money in USD kept as exact
// micro-dollars, the soft delete with its schedules (one transaction), built-ins, remembered rules.

const input = (name: string, extra: Partial<CreateAgentInput> = {}): CreateAgentInput => ({
  name,
  model: 'claude-sonnet-4-5',
  defaultPrompt: 'Go.',
  ...extra,
});

/** A schedule of the agent, as the scheduler stores one. */
async function insertSchedule({ db, t }: Store, agentId: number): Promise<number> {
  const [row] = await db
    .insert(t.schedules)
    .values({ agentId, cronExpression: '0 * * * *', nextRunAt: 1, nextFireAt: 1, createdAt: 0, updatedAt: 0 })
    .returning({ id: t.schedules.id });
  if (!row) throw new Error('no schedule inserted');
  return row.id;
}

describeOnEachDialect('agents', (store) => {
  const run = <T>(plan: (store: Store) => Plan<T>) => execute(store(), plan(store()));

  it('creates an agent with the defaults, and keeps its budgets as exact micro-dollars', async () => {
    const created = await run((s) =>
      createAgent(s, input('writer', { maxCostPerRunUsd: 0.000001, monthlyBudgetUsd: 123_456.789012 })),
    );
    expect(created).toMatchObject({
      name: 'writer',
      maxTurns: 10,
      allowedTools: [],
      unlistedTools: 'deny',
      maxCostPerRunUsd: 0.000001,
      monthlyBudgetUsd: 123_456.789012,
      builtin: false,
    });
    const row = await run((s) => getAgentById(s, created.id));
    expect(row).toMatchObject({ maxCostPerRunMicros: 1, monthlyBudgetMicros: 123_456_789_012 });
  });

  it('lists live agents by name, one order on every read; reads a live one, refuses a missing one', async () => {
    const b = await run((s) => createAgent(s, input('b-agent')));
    const a = await run((s) => createAgent(s, input('a-agent')));
    const names = (await run(listAgents)).map((agent) => agent.name);
    expect(names).toEqual([...names].sort());
    expect(names.indexOf('a-agent')).toBeLessThan(names.indexOf('b-agent'));
    expect((await run((s) => requireAgent(s, a.id))).name).toBe('a-agent');
    await expect(run((s) => requireAgent(s, 999_999))).rejects.toThrow(/Agent 999999/);
    expect(await run(listLiveAgentIds)).toEqual(new Set((await run(listAgents)).map(({ id }) => id)));
    expect((await run(listLiveAgentIds)).has(b.id)).toBe(true);
  });

  it('knows a taken name, except the agent’s own', async () => {
    const agent = await run((s) => createAgent(s, input('taken')));
    expect(await run((s) => isAgentNameTaken(s, 'taken'))).toBe(true);
    expect(await run((s) => isAgentNameTaken(s, 'taken', agent.id))).toBe(false);
    expect(await run((s) => isAgentNameTaken(s, 'free'))).toBe(false);
  });

  it('changes only the fields given; a budget of none is null; a missing agent changes nothing', async () => {
    const agent = await run((s) => createAgent(s, input('patched', { monthlyBudgetUsd: 5 })));
    const changed = await run((s) =>
      updateAgent(s, agent.id, { maxTurns: 3, monthlyBudgetUsd: null, allowedTools: ['Read'] }),
    );
    expect(changed).toMatchObject({
      maxTurns: 3,
      monthlyBudgetUsd: null,
      allowedTools: ['Read'],
      name: 'patched',
    });
    expect(changed?.updatedAt).toBeGreaterThanOrEqual(agent.updatedAt);
    expect(await run((s) => updateAgent(s, 999_999, { maxTurns: 1 }))).toBeUndefined();
  });

  it('deletes an agent with its live schedules in one transaction; its row stays readable', async () => {
    const agent = await run((s) => createAgent(s, input('doomed')));
    const scheduleId = await insertSchedule(store(), agent.id);
    expect(await transaction(store(), (tx) => softDeleteAgent(tx, agent.id))).toBe(true);
    expect(await transaction(store(), (tx) => softDeleteAgent(tx, agent.id))).toBe(false);

    expect(await run((s) => getAgentById(s, agent.id))).toBeUndefined();
    expect((await run(listAgents)).map(({ id }) => id)).not.toContain(agent.id);
    expect((await run(listLiveAgentIds)).has(agent.id)).toBe(false);
    expect(await run((s) => isAgentNameTaken(s, 'doomed'))).toBe(false);
    expect((await run((s) => getAgentRow(s, agent.id)))?.deletedAt).not.toBeNull();
    const { db, t } = store();
    const [schedule] = await execute(
      store(),
      rowsOf(db.select().from(t.schedules).where(eq(t.schedules.id, scheduleId))),
    );
    expect(schedule).toMatchObject({ nextRunAt: null, nextFireAt: null });
    expect(schedule?.deletedAt).not.toBeNull();
  });

  it('finds a built-in while it lives, and remembers it was seeded once deleted', async () => {
    expect(await run((s) => hasBuiltinAgent(s, 'system-health'))).toBe(false);
    const agent = await run((s) => createAgent(s, input('System Health'), 'system-health'));
    expect(agent.builtin).toBe(true);
    expect((await run((s) => getBuiltinAgent(s, 'system-health')))?.id).toBe(agent.id);
    await transaction(store(), (tx) => softDeleteAgent(tx, agent.id));
    expect(await run((s) => getBuiltinAgent(s, 'system-health'))).toBeUndefined();
    expect(await run((s) => hasBuiltinAgent(s, 'system-health'))).toBe(true);
  });

  it('remembers approved rules once each, on a deleted agent too, and ignores a missing one', async () => {
    const agent = await run((s) => createAgent(s, input('asker', { rememberedTools: ['Read'] })));
    await transaction(store(), (tx) => rememberAgentRules(tx, agent.id, ['Bash(ls)', 'Read'], 42));
    await transaction(store(), (tx) => rememberAgentRules(tx, agent.id, ['Bash(ls)', 'Write'], 43));
    const row = await run((s) => getAgentRow(s, agent.id));
    expect(row).toMatchObject({ rememberedTools: ['Read', 'Bash(ls)', 'Write'], updatedAt: 43 });
    await expect(
      transaction(store(), (tx) => rememberAgentRules(tx, 999_999, ['Read'], 44)),
    ).resolves.toBeUndefined();
  });
});
