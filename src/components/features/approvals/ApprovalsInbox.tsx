'use client';

import { Empty } from '@/components/ui/Panel';
import { Tabs } from '@/components/ui/Tabs';
import { useApprovals } from '@/hooks/useApprovals';
import type { ApprovalDto } from '@/lib/contracts/approvals';
import { isPending } from '@/lib/presentation/approvals';
import { ApprovalCard } from './ApprovalCard';
import styles from './Approvals.module.css';

function CardList({ items, testId }: { items: readonly ApprovalDto[]; testId: string }) {
  return (
    <ul className={styles.list} data-testid={testId}>
      {items.map((approval) => (
        <li key={approval.id}>
          <ApprovalCard approval={approval} showRun />
        </li>
      ))}
    </ul>
  );
}

/**
 * Every tool call waiting for a person, across runs, live (oldest first: the one closest to its
 * timeout on top); and the ones answered, expired or dropped, newest first.
 */
export function ApprovalsInbox({ initial }: { initial: readonly ApprovalDto[] }) {
  const { items } = useApprovals(initial);
  const waiting = items.filter(isPending).reverse();
  const settled = items.filter((approval) => !isPending(approval));
  return (
    <Tabs
      label="Approvals"
      tabs={[
        {
          value: 'pending',
          label: `Waiting (${waiting.length})`,
          testId: 'approvals-tab-pending',
          content:
            waiting.length === 0 ? (
              <Empty testId="approvals-none">No tool call is waiting for an answer.</Empty>
            ) : (
              <CardList items={waiting} testId="approvals-pending" />
            ),
        },
        {
          value: 'answered',
          label: 'Answered and expired',
          testId: 'approvals-tab-answered',
          content:
            settled.length === 0 ? (
              <Empty>Nothing answered yet.</Empty>
            ) : (
              <CardList items={settled} testId="approvals-answered" />
            ),
        },
      ]}
    />
  );
}
