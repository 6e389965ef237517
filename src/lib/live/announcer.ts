import type { ExecutionStatus } from '../contracts/executions';
import type { Plan } from '../db/plan';
import { notify } from '../db/postgresListener';
import type { OutputBatch, WithOutput } from '../db/queries/outputStore';
import type { Store } from '../db/store';
import { encodePositions, OUTPUT_CHANNEL, type Position } from './announcements';

// The writer's side on Postgres: each announcement is a statement of the transaction that commits
// what it announces, so it goes out after the commit, and only if it commits ("persisted first").

function positionOf(batch: OutputBatch): Position {
  const step = batch.steps.at(-1)?.seq;
  return step === undefined
    ? { e: batch.executionId, seq: batch.seq }
    : { e: batch.executionId, seq: batch.seq, step };
}

/** For `postgresOutputStore(store, announceOutput)`: one NOTIFY per flush, naming each run's new position. */
export const announceOutput: WithOutput = function* (tx: Store, batches: readonly OutputBatch[]) {
  for (const payload of encodePositions(batches.map(positionOf))) yield* notify(tx, OUTPUT_CHANNEL, payload);
};

/** In the transaction that changes a run's status: followers read its position and status again. */
export function* announceStatus(
  tx: Store,
  executionId: number,
  seq: number,
  status: ExecutionStatus,
): Plan<void> {
  for (const payload of encodePositions([{ e: executionId, seq, status }]))
    yield* notify(tx, OUTPUT_CHANNEL, payload);
}
