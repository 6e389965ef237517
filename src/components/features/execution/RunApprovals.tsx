'use client';

import { ApprovalCard } from '@/components/features/approvals/ApprovalCard';
import approvalStyles from '@/components/features/approvals/Approvals.module.css';
import { Panel } from '@/components/ui/Panel';
import { useApprovals } from '@/hooks/useApprovals';
import type { ApprovalDto } from '@/lib/contracts/approvals';
import { isPending } from '@/lib/presentation/approvals';

/**
 * The run's tool calls that asked a person, live: a waiting one with its answers on top, then
 * the ones answered, expired or dropped. Nothing when the run never asked.
 */
export function RunApprovals({
  executionId,
  initial,
}: {
  executionId: number;
  initial: readonly ApprovalDto[];
}) {
  const { items } = useApprovals(initial);
  const own = items.filter((approval) => approval.executionId === executionId);
  if (own.length === 0) return null;
  const waiting = own.filter(isPending);
  const ordered = [...waiting.reverse(), ...own.filter((approval) => !isPending(approval))];
  return (
    <Panel title={waiting.length > 0 ? 'Waiting for your answer' : 'Approvals'} testId="run-approvals">
      <ul className={approvalStyles.list}>
        {ordered.map((approval) => (
          <li key={approval.id}>
            <ApprovalCard approval={approval} />
          </li>
        ))}
      </ul>
    </Panel>
  );
}
