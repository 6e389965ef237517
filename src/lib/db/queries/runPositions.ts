import { eq } from 'drizzle-orm';
import type { ExecutionStatus } from '../../contracts/executions';
import { firstOf, type Plan } from '../plan';
import type { Store } from '../store';

/** Where a run stands: its output is committed through `lastSeq`; `workerId` runs (or last ran) it. */
export interface RunPosition {
  lastSeq: number;
  status: ExecutionStatus;
  workerId: string | null;
}

/**
 * A run's position as committed: every step and line up to `lastSeq` is stored (the output writer
 * advances it in the transaction that stores them), so a read bounded by it sees no gap.
 */
export function* getRunPosition({ db, t }: Store, executionId: number): Plan<RunPosition | undefined> {
  const runs = t.executions;
  return yield* firstOf(
    db
      .select({ lastSeq: runs.lastSeq, status: runs.status, workerId: runs.workerId })
      .from(runs)
      .where(eq(runs.id, executionId)),
  );
}
