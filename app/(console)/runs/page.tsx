import type { Metadata } from 'next';
import { RunsBrowser } from '@/components/features/runs/RunsBrowser';
import { Callout } from '@/components/ui/Callout';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel } from '@/components/ui/Panel';
import { issuesFromZod } from '@/lib/contracts/errors';
import { listExecutionsQuerySchema } from '@/lib/contracts/executions';
import { execute } from '@/lib/db/plan';
import { listAgents } from '@/lib/db/queries/agents';
import { listExecutions } from '@/lib/db/queries/runList';
import { getStore } from '@/lib/db/store';
import type { RunsView } from '@/lib/presentation/runsView';
import { withQueuePositions } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Runs' };

const RUNS_PER_PAGE = 50;

interface RunsPageProps {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

/** Every run, filtered and searched as the URL says (the parameters of `GET /api/executions`), live. */
export default async function RunsPage({ searchParams }: RunsPageProps) {
  const params = await searchParams;
  const parsed = listExecutionsQuerySchema.safeParse({ ...params, limit: String(RUNS_PER_PAGE) });
  const query = parsed.success
    ? parsed.data
    : listExecutionsQuerySchema.parse({ limit: String(RUNS_PER_PAGE) });
  const { limit: _limit, ...view }: { limit: number } & RunsView = query;
  const store = getStore();
  const page = await listExecutions(store, query);
  const agents = (await execute(store, listAgents(store))).map(({ id, name }) => ({ id, name }));
  const key = JSON.stringify(view);
  return (
    <>
      <PageHeader
        title="Runs"
        description="Every agent run: filter, search the prompts and results, sort. A link to this page keeps its filters."
      />
      {parsed.success ? null : (
        <Callout tone="warn" title="This link's filters are not valid" testId="runs-bad-filter">
          {issuesFromZod(parsed.error)
            .map((issue) => `${issue.path}: ${issue.message}`)
            .join('; ')}
          . Showing every run instead.
        </Callout>
      )}
      <Panel>
        <RunsBrowser
          key={key}
          page={{ ...page, items: withQueuePositions(page.items) }}
          view={view}
          agents={agents}
          limit={RUNS_PER_PAGE}
        />
      </Panel>
    </>
  );
}
