import type { Metadata } from 'next';
import { ApprovalsInbox } from '@/components/features/approvals/ApprovalsInbox';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel } from '@/components/ui/Panel';
import { getDb } from '@/lib/db';
import { listApprovals, listPendingApprovals } from '@/lib/db/queries/approvals';

export const metadata: Metadata = { title: 'Approvals' };
export const dynamic = 'force-dynamic';

const ANSWERED_SHOWN = 50;

export default function ApprovalsPage() {
  const db = getDb();
  const recent = listApprovals(db, { limit: ANSWERED_SHOWN }).items.filter(
    (item) => item.status !== 'pending',
  );
  return (
    <>
      <PageHeader
        title="Approvals"
        description="Tool calls that wait for a person, from every run. Answer here, on the run's page, or from a notification's link."
      />
      <Panel>
        <ApprovalsInbox initial={[...listPendingApprovals(db), ...recent]} />
      </Panel>
    </>
  );
}
