import type { Metadata } from 'next';
import { ApprovalsInbox } from '@/components/features/approvals/ApprovalsInbox';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel } from '@/components/ui/Panel';
import { execute } from '@/lib/db/plan';
import { listApprovals, listPendingApprovals } from '@/lib/db/queries/approvals';
import { getStore } from '@/lib/db/store';

export const metadata: Metadata = { title: 'Approvals' };
export const dynamic = 'force-dynamic';

const ANSWERED_SHOWN = 50;

export default async function ApprovalsPage() {
  const store = getStore();
  const pending = await execute(store, listPendingApprovals(store));
  const answered = await execute(store, listApprovals(store, { limit: ANSWERED_SHOWN }));
  const recent = answered.items.filter((item) => item.status !== 'pending');
  return (
    <>
      <PageHeader
        title="Approvals"
        description="Tool calls that wait for a person, from every run. Answer here, on the run's page, or from a notification's link."
      />
      <Panel>
        <ApprovalsInbox initial={[...pending, ...recent]} />
      </Panel>
    </>
  );
}
