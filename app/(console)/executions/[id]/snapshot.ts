import 'server-only';
import { execute, type Plan } from '@/lib/db/plan';
import { listApprovals } from '@/lib/db/queries/approvals';
import {
  countExecutionLogsBefore,
  getExecutionChain,
  getExecutionDetailWithResources,
  getExecutionLogsBefore,
  getExecutionSteps,
} from '@/lib/db/queries/executions';
import type { Store } from '@/lib/db/store';
import { type ExecutionSnapshot, LOG_PAGE_SIZE } from '@/lib/presentation/executionView';
import { withQueuePositions } from '@/lib/server/runtime';

/**
 * The execution page's first paint: all steps, the newest LOG_PAGE_SIZE log lines and the run's
 * resources so far. Steps and lines are cut at the row's `lastSeq`, read first: everything up to
 * it is committed (the seq moves in the same transaction as the rows) and the socket replays what
 * came after, so the page neither misses nor repeats an item. Also the run's approvals and the
 * continue chain it belongs to, and while it is queued its place and what it waits for.
 */
export async function loadExecutionSnapshot(
  store: Store,
  executionId: number,
): Promise<ExecutionSnapshot | undefined> {
  const snapshot = await execute(store, snapshotOf(store, executionId));
  if (!snapshot) return undefined;
  const [execution = snapshot.execution] = withQueuePositions([snapshot.execution]);
  return { ...snapshot, execution };
}

// One plan: on SQLite its reads run in one synchronous go, nothing committed between them.
function* snapshotOf(store: Store, executionId: number): Plan<ExecutionSnapshot | undefined> {
  const execution = yield* getExecutionDetailWithResources(store, executionId);
  if (!execution) return undefined;
  const { lastSeq } = execution;
  const steps = yield* getExecutionSteps(store, executionId, 0, lastSeq);
  const logs = yield* getExecutionLogsBefore(store, executionId, lastSeq + 1, LOG_PAGE_SIZE);
  const first = logs[0];
  const hasEarlierLogs =
    logs.length === LOG_PAGE_SIZE &&
    first !== undefined &&
    (yield* getExecutionLogsBefore(store, executionId, first.seq, 1)).length > 0;
  const earlierLogCount =
    hasEarlierLogs && first ? yield* countExecutionLogsBefore(store, executionId, first.seq) : 0;
  const approvals = (yield* listApprovals(store, { executionId, limit: 100 })).items;
  return {
    execution: { ...execution, chain: yield* getExecutionChain(store, executionId) },
    steps,
    logs,
    hasEarlierLogs,
    earlierLogCount,
    approvals,
  };
}
