import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { ApprovalDecision, ApprovalStatus, DecidedVia } from '../../contracts/approvals';
import type { ApprovalTimeoutAction } from '../../contracts/permissions';
import { agentConfigurations } from './agents';
import { executions } from './executions';

/**
 * A tool call that waits for a person, and what was decided. The row outlives the Claude Code
 * process that asked: a run parked without a process, or a server restarted during the wait,
 * picks the decision up from here.
 */
export const approvals = sqliteTable(
  'approvals',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    executionId: integer('execution_id')
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    agentId: integer('agent_id')
      .notNull()
      .references(() => agentConfigurations.id, { onDelete: 'cascade' }),
    toolUseId: text('tool_use_id').notNull(),
    toolName: text('tool_name').notNull(),
    input: text('input', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** sha256 of the tool name and canonical input: signed links and one-shot allows are bound to it. */
    inputHash: text('input_hash').notNull(),
    title: text('title'),
    reason: text('reason'),
    /** Claude Code's suggested permission updates for this call, as it sent them. */
    suggestions: text('suggestions', { mode: 'json' }).$type<unknown[]>().notNull().default(sql`'[]'`),
    requestedAt: integer('requested_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    onTimeout: text('on_timeout').$type<ApprovalTimeoutAction>().notNull(),
    status: text('status').$type<ApprovalStatus>().notNull(),
    decision: text('decision').$type<ApprovalDecision>(),
    decidedAt: integer('decided_at'),
    decidedVia: text('decided_via').$type<DecidedVia>(),
    decidedChannel: text('decided_channel'),
    message: text('message'),
    updatedInput: text('updated_input', { mode: 'json' }).$type<Record<string, unknown>>(),
    rememberedRules: text('remembered_rules', { mode: 'json' })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    /** When the resumed run's repeated call used the allow (it is good for one call). */
    consumedAt: integer('consumed_at'),
  },
  (t) => [
    index('approvals_by_execution').on(t.executionId),
    index('approvals_by_status').on(t.status),
    // What is still waiting: the inbox and the expiry timers after a restart.
    index('approvals_pending').on(t.expiresAt).where(sql`${t.status} = 'pending'`),
  ],
);

export type Approval = typeof approvals.$inferSelect;
export type NewApproval = typeof approvals.$inferInsert;
