import { and, asc, count, desc, eq, isNull, lt, type SQL } from 'drizzle-orm';
import type {
  ApprovalCounts,
  ApprovalDecision,
  ApprovalDto,
  ApprovalPage,
  ApprovalStatus,
  DecidedVia,
  ListApprovalsQuery,
} from '../../contracts/approvals';
import type { DbExecutor } from '../executor';
import type { Db } from '../index';
import { insertedRow } from '../returning';
import { type Approval, agentConfigurations, approvals, type NewApproval } from '../schema';

/** The rules Claude Code's suggestions would add (allow rules only), spelled as in an agent's lists. */
export function suggestedRulesOf(suggestions: readonly unknown[]): string[] {
  const rules: string[] = [];
  for (const suggestion of suggestions) {
    if (typeof suggestion !== 'object' || suggestion === null) continue;
    const { type, behavior, rules: values } = suggestion as Record<string, unknown>;
    if (type !== 'addRules' || behavior !== 'allow' || !Array.isArray(values)) continue;
    for (const value of values) {
      const { toolName, ruleContent } = (value ?? {}) as Record<string, unknown>;
      if (typeof toolName !== 'string') continue;
      rules.push(
        typeof ruleContent === 'string' && ruleContent !== '' ? `${toolName}(${ruleContent})` : toolName,
      );
    }
  }
  return [...new Set(rules)];
}

export function toApprovalDto(row: Approval, agentName: string): ApprovalDto {
  return {
    id: row.id,
    executionId: row.executionId,
    agentId: row.agentId,
    agentName,
    toolName: row.toolName,
    toolUseId: row.toolUseId,
    input: row.input,
    inputHash: row.inputHash,
    title: row.title,
    reason: row.reason,
    suggestedRules: suggestedRulesOf(row.suggestions),
    requestedAt: row.requestedAt,
    expiresAt: row.expiresAt,
    onTimeout: row.onTimeout,
    status: row.status,
    decision:
      row.decision === null || row.decidedAt === null || row.decidedVia === null
        ? null
        : {
            decision: row.decision,
            decidedAt: row.decidedAt,
            decidedVia: row.decidedVia,
            decidedChannel: row.decidedChannel ?? '',
            message: row.message,
            updatedInput: row.updatedInput,
            rememberedRules: row.rememberedRules,
          },
  };
}

function selectApprovals(db: Db, where: SQL | undefined) {
  return db
    .select({ row: approvals, agentName: agentConfigurations.name })
    .from(approvals)
    .innerJoin(agentConfigurations, eq(agentConfigurations.id, approvals.agentId))
    .where(where);
}

export function insertApproval(db: DbExecutor, row: NewApproval): Approval {
  return insertedRow(db.insert(approvals).values(row).returning().all());
}

export function getApproval(db: Db, id: number): ApprovalDto | undefined {
  const found = selectApprovals(db, eq(approvals.id, id)).get();
  return found && toApprovalDto(found.row, found.agentName);
}

export function getApprovalRow(db: DbExecutor, id: number): Approval | undefined {
  return db.select().from(approvals).where(eq(approvals.id, id)).get();
}

export function countPendingApprovals(db: Db): ApprovalCounts {
  const row = db.select({ n: count() }).from(approvals).where(eq(approvals.status, 'pending')).get();
  return { pending: row?.n ?? 0 };
}

/** Newest first, keyset-paged by id. */
export function listApprovals(db: Db, query: ListApprovalsQuery): ApprovalPage {
  const filters = and(
    query.status === undefined ? undefined : eq(approvals.status, query.status),
    query.executionId === undefined ? undefined : eq(approvals.executionId, query.executionId),
    query.before === undefined ? undefined : lt(approvals.id, query.before),
  );
  const rows = selectApprovals(db, filters)
    .orderBy(desc(approvals.id))
    .limit(query.limit + 1)
    .all();
  const items = rows.slice(0, query.limit).map(({ row, agentName }) => toApprovalDto(row, agentName));
  const last = items.at(-1);
  return {
    items,
    nextBefore: rows.length > query.limit && last ? last.id : null,
    counts: countPendingApprovals(db),
  };
}

/** Every pending approval, oldest first: what a (re)subscribing inbox starts from, and what expires. */
export function listPendingApprovals(db: Db): ApprovalDto[] {
  return selectApprovals(db, eq(approvals.status, 'pending'))
    .orderBy(asc(approvals.id))
    .all()
    .map(({ row, agentName }) => toApprovalDto(row, agentName));
}

/** A run's approvals still waiting for an answer. */
export function pendingApprovalsOf(db: DbExecutor, executionId: number): Approval[] {
  return db
    .select()
    .from(approvals)
    .where(and(eq(approvals.executionId, executionId), eq(approvals.status, 'pending')))
    .all();
}

/** A run's answered approvals whose allow has not been used yet: the one-shot allows of a resumed run. */
export function unusedAllowsOf(db: DbExecutor, executionId: number): Approval[] {
  return db
    .select()
    .from(approvals)
    .where(
      and(
        eq(approvals.executionId, executionId),
        eq(approvals.status, 'allowed'),
        isNull(approvals.consumedAt),
      ),
    )
    .all();
}

/** The answer a run woken from its park is told about: its latest approval that is no longer pending. */
export function latestAnsweredApproval(db: DbExecutor, executionId: number): Approval | undefined {
  return db
    .select()
    .from(approvals)
    .where(eq(approvals.executionId, executionId))
    .orderBy(desc(approvals.id))
    .limit(1)
    .get();
}

export interface DecisionWrite {
  status: Extract<ApprovalStatus, 'allowed' | 'denied' | 'expired'>;
  decision: ApprovalDecision;
  decidedAt: number;
  decidedVia: DecidedVia;
  decidedChannel: string;
  message: string | null;
  updatedInput: Record<string, unknown> | null;
  rememberedRules: string[];
}

/** Records the answer if the approval is still pending; false when someone answered first. */
export function recordDecision(db: DbExecutor, id: number, write: DecisionWrite): boolean {
  const result = db
    .update(approvals)
    .set(write)
    .where(and(eq(approvals.id, id), eq(approvals.status, 'pending')))
    .run();
  return result.changes === 1;
}

export function markApprovalUsed(db: DbExecutor, id: number, at: number): void {
  db.update(approvals).set({ consumedAt: at }).where(eq(approvals.id, id)).run();
}

/** A run ended otherwise while its calls waited: they will never be answered. */
export function cancelPendingApprovals(db: DbExecutor, executionId: number, at: number): number[] {
  return db
    .update(approvals)
    .set({ status: 'cancelled', decidedAt: at })
    .where(and(eq(approvals.executionId, executionId), eq(approvals.status, 'pending')))
    .returning({ id: approvals.id })
    .all()
    .map((row) => row.id);
}
