import 'server-only';
import { type ExecutionSnapshot, LOG_PAGE_SIZE } from '@/hooks/executionState';
import type { Db } from '@/lib/db';
import { getExecutionDetail, getExecutionLogs, getExecutionSteps } from '@/lib/db/queries/executions';

/**
 * Where the newest `limit` log lines start: steps and log lines share one gapless seq, so
 * counting down from `lastSeq` past every step seq finds the seq just below the window. If seqs
 * ever had gaps this errs towards fewer lines, never more.
 */
export function logWindowStart(lastSeq: number, stepSeqs: ReadonlySet<number>, limit: number): number {
  let lines = 0;
  let seq = lastSeq;
  while (seq > 0 && lines < limit) {
    if (!stepSeqs.has(seq)) lines += 1;
    seq -= 1;
  }
  return seq;
}

/**
 * The execution page's first paint. Everything is cut at the row's `lastSeq`, read first: all
 * steps and lines up to it are committed (the seq moves in the same transaction), and the socket
 * replays whatever came after it, so the page neither misses nor repeats an item.
 */
export function loadExecutionSnapshot(db: Db, executionId: number): ExecutionSnapshot | undefined {
  const execution = getExecutionDetail(db, executionId);
  if (!execution) return undefined;
  const lastSeq = execution.lastSeq;
  const steps = getExecutionSteps(db, executionId).filter((step) => step.seq <= lastSeq);
  const stepSeqs = new Set(steps.map((step) => step.seq));
  const windowStart = logWindowStart(lastSeq, stepSeqs, LOG_PAGE_SIZE);
  const logs = getExecutionLogs(db, executionId, windowStart, LOG_PAGE_SIZE).filter((line) => line.seq <= lastSeq);
  let stepsBelowWindow = 0;
  for (const seq of stepSeqs) if (seq <= windowStart) stepsBelowWindow += 1;
  return { execution, steps, logs, hasEarlierLogs: windowStart - stepsBelowWindow > 0 };
}
