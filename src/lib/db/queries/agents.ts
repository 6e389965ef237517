import { and, asc, eq, isNull } from 'drizzle-orm';
import {
  AGENT_DEFAULTS,
  type AgentDto,
  type CreateAgentInput,
  type UpdateAgentInput,
} from '../../contracts/agents';
import { microsToUsd, usdToMicros } from '../../contracts/executions';
import { notFound } from '../../core/errors';
import type { DbExecutor } from '../executor';
import type { Db } from '../index';
import { insertedRow, updatedRow } from '../returning';
import { type AgentConfiguration, agentConfigurations } from '../schema';
import { softDeleteSchedulesOfAgent } from './schedules';

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

const live = isNull(agentConfigurations.deletedAt);

export function listAgents(db: Db): AgentDto[] {
  return db
    .select()
    .from(agentConfigurations)
    .where(live)
    .orderBy(asc(agentConfigurations.name))
    .all()
    .map(toAgentDto);
}

export function getAgentById(db: Db, id: number): AgentConfiguration | undefined {
  return db
    .select()
    .from(agentConfigurations)
    .where(and(eq(agentConfigurations.id, id), live))
    .get();
}

/** A live agent, or a not-found error naming it. */
export function requireAgent(db: Db, id: number): AgentConfiguration {
  const agent = getAgentById(db, id);
  if (!agent) throw notFound(`Agent ${id}`);
  return agent;
}

export function isAgentNameTaken(db: Db, name: string, exceptId?: number): boolean {
  const row = db
    .select({ id: agentConfigurations.id })
    .from(agentConfigurations)
    .where(and(eq(agentConfigurations.name, name), live))
    .get();
  return row !== undefined && row.id !== exceptId;
}

export function createAgent(db: Db, input: CreateAgentInput, builtinKey: string | null = null): AgentDto {
  const now = Date.now();
  const row = insertedRow(
    db
      .insert(agentConfigurations)
      .values({ ...toColumns({ ...AGENT_DEFAULTS, ...input }), builtinKey, createdAt: now, updatedAt: now })
      .returning()
      .all(),
  );
  return toAgentDto(row);
}

export function updateAgent(db: Db, id: number, patch: UpdateAgentInput): AgentDto | undefined {
  const row = updatedRow(
    db
      .update(agentConfigurations)
      .set({ ...toColumns(patch), updatedAt: Date.now() })
      .where(and(eq(agentConfigurations.id, id), live))
      .returning()
      .all(),
  );
  return row && toAgentDto(row);
}

/** Deletes an agent and, with it, its schedules (its runs and costs stay). */
export function softDeleteAgent(db: Db, id: number): boolean {
  const now = Date.now();
  return db.transaction(() => {
    const result = db
      .update(agentConfigurations)
      .set({ deletedAt: now })
      .where(and(eq(agentConfigurations.id, id), live))
      .run();
    if (result.changes === 0) return false;
    softDeleteSchedulesOfAgent(db, id, now);
    return true;
  });
}

/** A built-in agent, if it was seeded and not deleted. */
export function getBuiltinAgent(db: Db, builtinKey: string): AgentConfiguration | undefined {
  return db
    .select()
    .from(agentConfigurations)
    .where(and(eq(agentConfigurations.builtinKey, builtinKey), live))
    .get();
}

/** True if a built-in agent was ever seeded, even if the user deleted it since. */
export function hasBuiltinAgent(db: Db, builtinKey: string): boolean {
  return (
    db
      .select({ id: agentConfigurations.id })
      .from(agentConfigurations)
      .where(eq(agentConfigurations.builtinKey, builtinKey))
      .get() !== undefined
  );
}

/** Ids of the agents that are not deleted: what a workflow step may name. */
export function listLiveAgentIds(db: Db): Set<number> {
  return new Set(
    db
      .select({ id: agentConfigurations.id })
      .from(agentConfigurations)
      .where(live)
      .all()
      .map((row) => row.id),
  );
}

/** An agent's row even when it was deleted since: a parked run of it still resumes or ends. */
export function getAgentRow(db: DbExecutor, id: number): AgentConfiguration | undefined {
  return db.select().from(agentConfigurations).where(eq(agentConfigurations.id, id)).get();
}

/** Adds rules to an agent's remembered rules ("approve and remember"), each at most once. */
export function rememberAgentRules(
  db: DbExecutor,
  agentId: number,
  rules: readonly string[],
  now: number,
): void {
  const agent = getAgentRow(db, agentId);
  if (!agent) return;
  const remembered = [...new Set([...agent.rememberedTools, ...rules])];
  db.update(agentConfigurations)
    .set({ rememberedTools: remembered, updatedAt: now })
    .where(eq(agentConfigurations.id, agentId))
    .run();
}
