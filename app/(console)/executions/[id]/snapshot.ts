import 'server-only';
import type { Db } from '@/lib/db';
import { onSqlite } from '@/lib/db/plan';
import { listApprovals } from '@/lib/db/queries/approvals';
import {
  countExecutionLogsBefore,
  getExecutionChain,
  getExecutionDetailWithResources,
  getExecutionLogsBefore,
  getExecutionSteps,
} from '@/lib/db/queries/executions';
import { type ExecutionSnapshot, LOG_PAGE_SIZE } from '@/lib/presentation/executionView';
import { withQueuePositions } from '@/lib/server/runtime';

/**
 * The execution page's first paint: all steps, the newest LOG_PAGE_SIZE log lines and the run's
 * resources so far. Steps and lines are cut at the row's `lastSeq`, read first: everything up to
 * it is committed (the seq moves in the same transaction as the rows) and the socket replays what
 * came after, so the page neither misses nor repeats an item. Also the run's approvals and the
 * continue chain it belongs to, and while it is queued its place and what it waits for.
 */
export function loadExecutionSnapshot(db: Db, executionId: number): ExecutionSnapshot | undefined {
  const execution = getExecutionDetailWithResources(db, executionId);
  if (!execution) return undefined;
  const { lastSeq } = execution;
  const steps = getExecutionSteps(db, executionId, 0, lastSeq);
  const logs = getExecutionLogsBefore(db, executionId, lastSeq + 1, LOG_PAGE_SIZE);
  const first = logs[0];
  const hasEarlierLogs =
    logs.length === LOG_PAGE_SIZE &&
    first !== undefined &&
    getExecutionLogsBefore(db, executionId, first.seq, 1).length > 0;
  const earlierLogCount = hasEarlierLogs && first ? countExecutionLogsBefore(db, executionId, first.seq) : 0;
  const approvals = onSqlite(db, (store) => listApprovals(store, { executionId, limit: 100 })).items;
  const [withPosition = execution] = withQueuePositions([execution]);
  return {
    execution: { ...withPosition, chain: getExecutionChain(db, executionId) },
    steps,
    logs,
    hasEarlierLogs,
    earlierLogCount,
    approvals,
  };
}
