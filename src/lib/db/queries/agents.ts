import { and, asc, eq, isNull } from 'drizzle-orm';
import {
  AGENT_DEFAULTS,
  type AgentDto,
  type CreateAgentInput,
  type UpdateAgentInput,
} from '../../contracts/agents';
import { microsToUsd, usdToMicros } from '../../contracts/executions';
import { notFound } from '../../core/errors';
import { changesOf, firstOf, type Plan, rowsOf } from '../plan';
import { insertedRow, updatedRow } from '../returning';
import type { AgentConfiguration } from '../schema';
import type { Store, Tables } from '../store';
import { softDeleteSchedulesOfAgent } from './schedules';

// Dialect-neutral plans (see plan.ts): run on SQLite and on Postgres, inside a transaction or not.

export function toAgentDto(row: AgentConfiguration): AgentDto {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    model: row.model,
    systemPrompt: row.systemPrompt,
    defaultPrompt: row.defaultPrompt,
    allowedTools: row.allowedTools,
    deniedTools: row.deniedTools,
    rememberedTools: row.rememberedTools,
    additionalDirectories: row.additionalDirectories,
    requiredLabels: row.requiredLabels,
    unlistedTools: row.unlistedTools,
    approvalTimeoutMinutes: row.approvalTimeoutMinutes,
    onApprovalTimeout: row.onApprovalTimeout,
    workingDirectory: row.workingDirectory,
    maxTurns: row.maxTurns,
    timeoutSeconds: row.timeoutSeconds,
    maxConcurrentRuns: row.maxConcurrentRuns,
    apiMaxRetries: row.apiMaxRetries,
    runRetries: row.runRetries,
    runRetryDelaySeconds: row.runRetryDelaySeconds,
    maxCostPerRunUsd: nullableUsd(row.maxCostPerRunMicros),
    monthlyBudgetUsd: nullableUsd(row.monthlyBudgetMicros),
    builtin: row.builtinKey !== null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const nullableUsd = (micros: number | null) => (micros === null ? null : microsToUsd(micros));
const nullableMicros = (usd: number | null) => (usd === null ? null : usdToMicros(usd));

/** The API speaks USD; the table keeps integer micro-dollars. */
function toColumns<T extends UpdateAgentInput>({ maxCostPerRunUsd, monthlyBudgetUsd, ...rest }: T) {
  return {
    ...rest,
    ...(maxCostPerRunUsd !== undefined && { maxCostPerRunMicros: nullableMicros(maxCostPerRunUsd) }),
    ...(monthlyBudgetUsd !== undefined && { monthlyBudgetMicros: nullableMicros(monthlyBudgetUsd) }),
  };
}

const live = (t: Tables) => isNull(t.agentConfigurations.deletedAt);

/** By name; agents of one name (a deleted one's was taken again) by id: one order on every dialect. */
export function* listAgents({ db, t }: Store): Plan<AgentDto[]> {
  const agents = t.agentConfigurations;
  const rows = yield* rowsOf(
    db.select().from(agents).where(live(t)).orderBy(asc(agents.name), asc(agents.id)),
  );
  return rows.map(toAgentDto);
}

export function getAgentById({ db, t }: Store, id: number): Plan<AgentConfiguration | undefined> {
  const agents = t.agentConfigurations;
  return firstOf(
    db
      .select()
      .from(agents)
      .where(and(eq(agents.id, id), live(t))),
  );
}

/** A live agent, or a not-found error naming it. */
export function* requireAgent(store: Store, id: number): Plan<AgentConfiguration> {
  const agent = yield* getAgentById(store, id);
  if (!agent) throw notFound(`Agent ${id}`);
  return agent;
}

export function* isAgentNameTaken({ db, t }: Store, name: string, exceptId?: number): Plan<boolean> {
  const agents = t.agentConfigurations;
  const row = yield* firstOf(
    db
      .select({ id: agents.id })
      .from(agents)
      .where(and(eq(agents.name, name), live(t))),
  );
  return row !== undefined && row.id !== exceptId;
}

export function* createAgent(
  { db, t }: Store,
  input: CreateAgentInput,
  builtinKey: string | null = null,
): Plan<AgentDto> {
  const now = Date.now();
  const values = {
    ...toColumns({ ...AGENT_DEFAULTS, ...input }),
    builtinKey,
    createdAt: now,
    updatedAt: now,
  };
  return toAgentDto(insertedRow(yield* rowsOf(db.insert(t.agentConfigurations).values(values).returning())));
}

export function* updateAgent(
  { db, t }: Store,
  id: number,
  patch: UpdateAgentInput,
): Plan<AgentDto | undefined> {
  const agents = t.agentConfigurations;
  const row = updatedRow(
    yield* rowsOf(
      db
        .update(agents)
        .set({ ...toColumns(patch), updatedAt: Date.now() })
        .where(and(eq(agents.id, id), live(t)))
        .returning(),
    ),
  );
  return row && toAgentDto(row);
}

/** Deletes an agent and, with it, its schedules (its runs and costs stay): run it in a transaction. */
export function* softDeleteAgent(store: Store, id: number): Plan<boolean> {
  const { db, t } = store;
  const agents = t.agentConfigurations;
  const now = Date.now();
  const deleted = yield* changesOf(
    db
      .update(agents)
      .set({ deletedAt: now })
      .where(and(eq(agents.id, id), live(t))),
  );
  if (deleted === 0) return false;
  yield* softDeleteSchedulesOfAgent(store, id, now);
  return true;
}

/** A built-in agent, if it was seeded and not deleted. */
export function getBuiltinAgent({ db, t }: Store, builtinKey: string): Plan<AgentConfiguration | undefined> {
  const agents = t.agentConfigurations;
  return firstOf(
    db
      .select()
      .from(agents)
      .where(and(eq(agents.builtinKey, builtinKey), live(t))),
  );
}

/** True if a built-in agent was ever seeded, even if the user deleted it since. */
export function* hasBuiltinAgent({ db, t }: Store, builtinKey: string): Plan<boolean> {
  const agents = t.agentConfigurations;
  const row = yield* firstOf(
    db.select({ id: agents.id }).from(agents).where(eq(agents.builtinKey, builtinKey)),
  );
  return row !== undefined;
}

/** Ids of the agents that are not deleted: what a workflow step may name. */
export function* listLiveAgentIds({ db, t }: Store): Plan<Set<number>> {
  const agents = t.agentConfigurations;
  const rows = yield* rowsOf(db.select({ id: agents.id }).from(agents).where(live(t)));
  return new Set(rows.map((row) => row.id));
}

/** An agent's row even when it was deleted since: a parked run of it still resumes or ends. */
export function getAgentRow({ db, t }: Store, id: number): Plan<AgentConfiguration | undefined> {
  return firstOf(db.select().from(t.agentConfigurations).where(eq(t.agentConfigurations.id, id)));
}

/** Adds rules to an agent's remembered rules ("approve and remember"), each at most once. */
export function* rememberAgentRules(
  store: Store,
  agentId: number,
  rules: readonly string[],
  now: number,
): Plan<void> {
  const agent = yield* getAgentRow(store, agentId);
  if (!agent) return;
  const remembered = [...new Set([...agent.rememberedTools, ...rules])];
  const agents = store.t.agentConfigurations;
  yield* changesOf(
    store.db
      .update(agents)
      .set({ rememberedTools: remembered, updatedAt: now })
      .where(eq(agents.id, agentId)),
  );
}
