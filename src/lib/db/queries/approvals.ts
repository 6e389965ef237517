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
import { changesOf, firstOf, type Plan, rowsOf } from '../plan';
import { insertedRow } from '../returning';
import type { Approval, NewApproval } from '../schema';
import type { Store } from '../store';

// Dialect-neutral plans (see plan.ts): run on SQLite and on Postgres, inside a transaction or not.

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

function selectApprovals({ db, t }: Store, where: SQL | undefined) {
  return db
    .select({ row: t.approvals, agentName: t.agentConfigurations.name })
    .from(t.approvals)
    .innerJoin(t.agentConfigurations, eq(t.agentConfigurations.id, t.approvals.agentId))
    .where(where);
}

export function* insertApproval({ db, t }: Store, row: NewApproval): Plan<Approval> {
  return insertedRow(yield* rowsOf(db.insert(t.approvals).values(row).returning()));
}

export function* getApproval(store: Store, id: number): Plan<ApprovalDto | undefined> {
  const found = yield* firstOf(selectApprovals(store, eq(store.t.approvals.id, id)));
  return found && toApprovalDto(found.row, found.agentName);
}

export function getApprovalRow({ db, t }: Store, id: number): Plan<Approval | undefined> {
  return firstOf(db.select().from(t.approvals).where(eq(t.approvals.id, id)));
}

export function* countPendingApprovals({ db, t }: Store): Plan<ApprovalCounts> {
  const row = yield* firstOf(
    db
      .select({ n: count().mapWith(Number) })
      .from(t.approvals)
      .where(eq(t.approvals.status, 'pending')),
  );
  return { pending: row?.n ?? 0 };
}

/** Newest first, keyset-paged by id. */
export function* listApprovals(store: Store, query: ListApprovalsQuery): Plan<ApprovalPage> {
  const { approvals } = store.t;
  const filters = and(
    query.status === undefined ? undefined : eq(approvals.status, query.status),
    query.executionId === undefined ? undefined : eq(approvals.executionId, query.executionId),
    query.before === undefined ? undefined : lt(approvals.id, query.before),
  );
  const rows = yield* rowsOf(
    selectApprovals(store, filters)
      .orderBy(desc(approvals.id))
      .limit(query.limit + 1),
  );
  const items = rows.slice(0, query.limit).map(({ row, agentName }) => toApprovalDto(row, agentName));
  const last = items.at(-1);
  return {
    items,
    nextBefore: rows.length > query.limit && last ? last.id : null,
    counts: yield* countPendingApprovals(store),
  };
}

/** Every pending approval, oldest first: what a (re)subscribing inbox starts from, and what expires. */
export function* listPendingApprovals(store: Store): Plan<ApprovalDto[]> {
  const { approvals } = store.t;
  const rows = yield* rowsOf(
    selectApprovals(store, eq(approvals.status, 'pending')).orderBy(asc(approvals.id)),
  );
  return rows.map(({ row, agentName }) => toApprovalDto(row, agentName));
}

/** A run's approvals still waiting for an answer, oldest first. */
export function pendingApprovalsOf({ db, t }: Store, executionId: number): Plan<Approval[]> {
  const { approvals } = t;
  return rowsOf(
    db
      .select()
      .from(approvals)
      .where(and(eq(approvals.executionId, executionId), eq(approvals.status, 'pending')))
      .orderBy(asc(approvals.id)),
  );
}

/** A run's answered approvals whose allow has not been used yet: the one-shot allows of a resumed run. */
export function unusedAllowsOf({ db, t }: Store, executionId: number): Plan<Approval[]> {
  const { approvals } = t;
  return rowsOf(
    db
      .select()
      .from(approvals)
      .where(
        and(
          eq(approvals.executionId, executionId),
          eq(approvals.status, 'allowed'),
          isNull(approvals.consumedAt),
        ),
      )
      .orderBy(asc(approvals.id)),
  );
}

/** The answer a run woken from its park is told about: its latest approval that is no longer pending. */
export function latestAnsweredApproval({ db, t }: Store, executionId: number): Plan<Approval | undefined> {
  const { approvals } = t;
  return firstOf(
    db
      .select()
      .from(approvals)
      .where(eq(approvals.executionId, executionId))
      .orderBy(desc(approvals.id))
      .limit(1),
  );
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
export function* recordDecision({ db, t }: Store, id: number, write: DecisionWrite): Plan<boolean> {
  const { approvals } = t;
  const changed = yield* changesOf(
    db
      .update(approvals)
      .set(write)
      .where(and(eq(approvals.id, id), eq(approvals.status, 'pending'))),
  );
  return changed === 1;
}

export function* markApprovalUsed({ db, t }: Store, id: number, at: number): Plan<void> {
  yield* changesOf(db.update(t.approvals).set({ consumedAt: at }).where(eq(t.approvals.id, id)));
}

/** A run ended otherwise while its calls waited: they will never be answered. */
export function* cancelPendingApprovals({ db, t }: Store, executionId: number, at: number): Plan<number[]> {
  const { approvals } = t;
  const rows = yield* rowsOf(
    db
      .update(approvals)
      .set({ status: 'cancelled', decidedAt: at })
      .where(and(eq(approvals.executionId, executionId), eq(approvals.status, 'pending')))
      .returning({ id: approvals.id }),
  );
  return rows.map((row) => row.id);
}
