import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import type { ApprovalDecision, ApprovalStatus, DecidedVia } from '../../contracts/approvals';
import type { ApprovalTimeoutAction } from '../../contracts/permissions';
import { agentConfigurations } from './agents';
import { int64, rowId } from './columns';
import { executions } from './executions';

/** ../schema/approvals.ts in Postgres. */
export const approvals = pgTable(
  'approvals',
  {
    id: rowId('id'),
    executionId: int64('execution_id')
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    agentId: int64('agent_id')
      .notNull()
      .references(() => agentConfigurations.id, { onDelete: 'cascade' }),
    toolUseId: text('tool_use_id').notNull(),
    toolName: text('tool_name').notNull(),
    input: jsonb('input').$type<Record<string, unknown>>().notNull(),
    inputHash: text('input_hash').notNull(),
    title: text('title'),
    reason: text('reason'),
    suggestions: jsonb('suggestions').$type<unknown[]>().notNull().default([]),
    requestedAt: int64('requested_at').notNull(),
    expiresAt: int64('expires_at').notNull(),
    onTimeout: text('on_timeout').$type<ApprovalTimeoutAction>().notNull(),
    status: text('status').$type<ApprovalStatus>().notNull(),
    decision: text('decision').$type<ApprovalDecision>(),
    decidedAt: int64('decided_at'),
    decidedVia: text('decided_via').$type<DecidedVia>(),
    decidedChannel: text('decided_channel'),
    message: text('message'),
    updatedInput: jsonb('updated_input').$type<Record<string, unknown>>(),
    rememberedRules: jsonb('remembered_rules').$type<string[]>().notNull().default([]),
    consumedAt: int64('consumed_at'),
  },
  (t) => [
    index('approvals_by_execution').on(t.executionId),
    index('approvals_by_status').on(t.status),
    index('approvals_pending').on(t.expiresAt).where(sql`${t.status} = 'pending'`),
  ],
);
