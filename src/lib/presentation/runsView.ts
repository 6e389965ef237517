import type { ExecutionSummary, ListExecutionsQuery, RunSort, SortOrder } from '@/lib/contracts/executions';
import { isAhead } from './executionView';

/** The Runs page's view: the API's query parameters, as the page's URL carries them. */
export type RunsView = Omit<ListExecutionsQuery, 'limit'>;

const DEFAULTS: Partial<Record<keyof RunsView, string>> = { sort: 'created', order: 'desc' };

/** The view as a query string (`?status=failed&q=disk`), leaving out defaults and empty fields. */
export function runsSearch(view: Partial<RunsView>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(view)) {
    if (value === undefined || value === '') continue;
    const text = String(value);
    if (DEFAULTS[key as keyof RunsView] === text) continue;
    params.set(key, text);
  }
  const search = params.toString();
  return search === '' ? '' : `?${search}`;
}

/** The same view from its first page: what a changed filter or sort shows. */
export function firstPageOf(view: Partial<RunsView>): Partial<RunsView> {
  const { cursor: _cursor, before: _before, ...rest } = view;
  return rest;
}

/** Whether a run belongs in the view, judged on what a live frame carries (not the search words). */
export function matchesView(view: Partial<RunsView>, run: ExecutionSummary): boolean {
  return (
    (view.agentId === undefined || run.agentId === view.agentId) &&
    (view.status === undefined || run.status === view.status) &&
    (view.trigger === undefined || run.trigger === view.trigger) &&
    (view.scheduleId === undefined || run.scheduleId === view.scheduleId) &&
    (view.to === undefined || run.createdAt < view.to)
  );
}

/**
 * Whether new runs join the list live: on the first page of the newest-first order, and only when
 * a frame can tell whether they match (the search words are not in it).
 */
export function takesNewRuns(view: Partial<RunsView>): boolean {
  return (
    view.cursor === undefined &&
    view.before === undefined &&
    view.q === undefined &&
    (view.sort ?? 'created') === 'created' &&
    (view.order ?? 'desc') === 'desc'
  );
}

/** The rows shown, each replaced by its newer state where one came in; order and membership kept. */
export function refreshRows(
  current: readonly ExecutionSummary[],
  incoming: readonly ExecutionSummary[],
): ExecutionSummary[] {
  const latest = new Map(incoming.map((item) => [item.id, item]));
  return current.map((row) => {
    const next = latest.get(row.id);
    if (!next) return row;
    const stale = isAhead(
      { status: row.status, seq: row.lastSeq },
      { status: next.status, seq: next.lastSeq },
    );
    return stale ? row : next;
  });
}

/** What a header click asks for: a column's sort, newest / largest first on the first click. */
export function nextSort(
  current: { sort: RunSort; order: SortOrder },
  clicked: RunSort,
): { sort: RunSort; order: SortOrder } {
  if (current.sort !== clicked) return { sort: clicked, order: 'desc' };
  return { sort: clicked, order: current.order === 'desc' ? 'asc' : 'desc' };
}
