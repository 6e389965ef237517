'use client';

import type { SortingState } from '@tanstack/react-table';
import { useRouter } from 'next/navigation';
import { type FormEvent, useEffect, useRef } from 'react';
import {
  ExecutionsTable,
  SERVER_SORTS,
  type ServerSortColumn,
} from '@/components/features/dashboard/ExecutionsTable';
import { ButtonLink } from '@/components/ui/Button';
import { Callout } from '@/components/ui/Callout';
import { Empty } from '@/components/ui/Panel';
import { SEARCH_SHORTCUT_ATTRIBUTE, takeSearchFocusRequest } from '@/components/ui/searchFocus';
import { useExecutionList } from '@/hooks/useExecutionList';
import {
  EXECUTION_STATUSES,
  EXECUTION_TRIGGERS,
  type ExecutionPage,
  type ExecutionTrigger,
  type RUN_RANGES,
  type RunSort,
} from '@/lib/contracts/executions';
import { formatCount } from '@/lib/presentation/format';
import {
  firstPageOf,
  matchesView,
  nextSort,
  type RunsView,
  runsSearch,
  takesNewRuns,
} from '@/lib/presentation/runsView';
import styles from './Runs.module.css';

const RANGE_LABELS: Record<keyof typeof RUN_RANGES, string> = {
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
};
const TRIGGER_LABELS: Record<ExecutionTrigger, string> = {
  manual: 'Manual',
  api: 'API',
  schedule: 'Schedule',
  workflow: 'Workflow',
  continue: 'Continue',
};

export interface RunsBrowserProps {
  page: ExecutionPage;
  view: Partial<RunsView>;
  agents: readonly { id: number; name: string }[];
  limit: number;
}

const columnOf = (sort: RunSort) =>
  (Object.keys(SERVER_SORTS) as ServerSortColumn[]).find((column) => SERVER_SORTS[column] === sort) ??
  'started';

/**
 * Every run, filtered, searched and sorted by the server, a page at a time: the view lives in the
 * URL (the API's own parameters), so a link shares it. The rows shown stay live; new runs join the
 * first page of the newest-first order.
 */
export function RunsBrowser({ page, view, agents, limit }: RunsBrowserProps) {
  const router = useRouter();
  const searchRef = useRef<HTMLInputElement>(null);
  const executions = useExecutionList(page.items, {
    limit,
    wanted: (execution) => matchesView(view, execution),
    addNew: takesNewRuns(view),
  });

  useEffect(() => {
    if (takeSearchFocusRequest()) searchRef.current?.focus();
  }, []);

  const show = (next: Partial<RunsView>) => router.push(`/runs${runsSearch(firstPageOf(next))}`);
  const onSearch = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    show({ ...view, q: searchRef.current?.value.trim() || undefined });
  };
  const choose = (key: 'status' | 'trigger' | 'range' | 'agentId', value: string) =>
    show({ ...view, [key]: value === '' ? undefined : key === 'agentId' ? Number(value) : value });

  const sort = view.sort ?? 'created';
  const order = view.order ?? 'desc';
  const sorting: SortingState = [{ id: columnOf(sort), desc: order === 'desc' }];
  const filtered = Object.keys(firstPageOf(view)).some((key) => key !== 'sort' && key !== 'order');
  const paged = view.cursor !== undefined || view.before !== undefined;

  return (
    <>
      <div className={styles.filters}>
        <search className={styles.search}>
          <form onSubmit={onSearch}>
            <label htmlFor="runs-search" className="visually-hidden">
              Search prompts and results
            </label>
            <input
              ref={searchRef}
              id="runs-search"
              type="search"
              name="q"
              placeholder="Search prompts and results"
              defaultValue={view.q ?? ''}
              data-testid="runs-search"
              {...{ [SEARCH_SHORTCUT_ATTRIBUTE]: 'search' }}
            />
          </form>
        </search>
        <Filter
          label="Status"
          any="Any status"
          options={EXECUTION_STATUSES.map((status) => ({ value: status, label: status.replace('_', ' ') }))}
          value={view.status}
          onChange={(value) => choose('status', value)}
        />
        <Filter
          label="Agent"
          any="Any agent"
          options={agents.map((agent) => ({ value: String(agent.id), label: agent.name }))}
          value={view.agentId}
          onChange={(value) => choose('agentId', value)}
        />
        <Filter
          label="Trigger"
          any="Any trigger"
          options={EXECUTION_TRIGGERS.map((trigger) => ({ value: trigger, label: TRIGGER_LABELS[trigger] }))}
          value={view.trigger}
          onChange={(value) => choose('trigger', value)}
        />
        <Filter
          label="Time"
          any="Any time"
          options={(Object.keys(RANGE_LABELS) as (keyof typeof RANGE_LABELS)[]).map((range) => ({
            value: range,
            label: RANGE_LABELS[range],
          }))}
          value={view.range}
          onChange={(value) => choose('range', value)}
        />
        {filtered ? (
          <ButtonLink href="/runs" size="small" variant="ghost" data-testid="runs-clear">
            Clear filters
          </ButtonLink>
        ) : null}
      </div>
      {page.unindexedRuns ? (
        <Callout tone="warn" title="The newest runs are not searched" testId="runs-search-partial">
          The database's disk refuses writes (full or read-only), so the {formatCount(page.unindexedRuns)}{' '}
          newest {page.unindexedRuns === 1 ? 'run' : 'runs'} could not be added to the search index. They are
          searched again once it takes writes.
        </Callout>
      ) : null}
      {executions.length === 0 ? (
        <Empty testId="empty-executions">{filtered ? 'No runs match these filters.' : 'No runs yet.'}</Empty>
      ) : (
        <ExecutionsTable
          executions={executions}
          sorting={{
            state: sorting,
            onChange: (next) => {
              const column = next[0]?.id as ServerSortColumn | undefined;
              if (column && column in SERVER_SORTS)
                show({ ...view, ...nextSort({ sort, order }, SERVER_SORTS[column]) });
            },
          }}
        />
      )}
      {paged || page.nextCursor !== null ? (
        <nav className={styles.pager} aria-label="Pages of runs">
          {paged ? (
            <ButtonLink href={`/runs${runsSearch(firstPageOf(view))}`} size="small" data-testid="runs-first">
              First page
            </ButtonLink>
          ) : null}
          {page.nextCursor !== null ? (
            <ButtonLink
              href={`/runs${runsSearch({ ...firstPageOf(view), cursor: page.nextCursor })}`}
              size="small"
              data-testid="runs-next"
            >
              Next page
            </ButtonLink>
          ) : null}
        </nav>
      ) : null}
    </>
  );
}

/** One filter of the list: a labelled select whose first choice is "any". */
function Filter({
  label,
  any,
  options,
  value,
  onChange,
}: {
  label: string;
  any: string;
  options: readonly { value: string; label: string }[];
  value: string | number | undefined;
  onChange(value: string): void;
}) {
  return (
    <label className={styles.filter}>
      <span className="visually-hidden">{label}</span>
      <select
        value={value ?? ''}
        onChange={(event) => onChange(event.target.value)}
        data-testid={`runs-filter-${label.toLowerCase()}`}
      >
        <option value="">{any}</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}
