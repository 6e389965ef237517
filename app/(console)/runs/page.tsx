import type { Metadata } from 'next';
import { RecentExecutions } from '@/components/features/dashboard/RecentExecutions';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel } from '@/components/ui/Panel';
import { getDb } from '@/lib/db';
import { listExecutions } from '@/lib/db/queries/executions';
import { withQueuePositions } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Runs' };

const RUNS_LIMIT = 100;

/** Every run, newest first, live. */
export default function RunsPage() {
  return (
    <>
      <PageHeader
        title="Runs"
        description="Every agent run, newest first: status, trigger, duration, tokens, cost."
      />
      <Panel>
        <RecentExecutions
          initial={withQueuePositions(listExecutions(getDb(), { limit: RUNS_LIMIT }).items)}
          limit={RUNS_LIMIT}
        />
      </Panel>
    </>
  );
}
