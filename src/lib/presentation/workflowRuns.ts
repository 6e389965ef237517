import type { WorkflowRunDto, WorkflowRunStepDto, WorkflowRunSummaryDto } from '../contracts/workflows';

/**
 * Pure state of the live workflow views: the run lists and the steps' figures. Frames for one run
 * arrive in commit order over the tab's one socket, so the newest frame is always the latest state.
 */

/** The compact row a list shows, from the whole run a frame carries. */
export function summaryOf({
  input: _input,
  steps: _steps,
  ...summary
}: WorkflowRunDto): WorkflowRunSummaryDto {
  return summary;
}

/** A newest-first list of at most `limit` runs, with `run` added or replaced. */
export function mergeRunSummary(
  current: readonly WorkflowRunSummaryDto[],
  run: WorkflowRunSummaryDto,
  limit: number,
): WorkflowRunSummaryDto[] {
  const others = current.filter((item) => item.id !== run.id);
  return [...others, run].sort((a, b) => b.id - a.id).slice(0, limit);
}

export const isRunActive = (run: Pick<WorkflowRunSummaryDto, 'status'>): boolean =>
  run.status === 'queued' || run.status === 'running';

/** What a run's badge says: `cancelling` between a cancel and the end of its stopped steps. */
export const runBadgeStatus = (run: Pick<WorkflowRunSummaryDto, 'status' | 'stopping'>) =>
  isRunActive(run) && run.stopping === 'cancelled' ? 'cancelling' : run.status;

/** How long a run or a step ran: to its end, or to `now` while it runs; null before it started. */
export function runDurationMs(
  run: Pick<WorkflowRunSummaryDto | WorkflowRunStepDto, 'startedAt' | 'finishedAt'>,
  now: number,
): number | null {
  if (run.startedAt === null) return null;
  return Math.max(0, (run.finishedAt ?? now) - run.startedAt);
}
