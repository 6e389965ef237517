'use client';

import { DeleteButton } from '@/components/ui/DeleteButton';

/** Deletes the agent after an inline confirmation; its past runs and costs stay in the history. */
export function DeleteAgentButton({ agentId, agentName }: { agentId: number; agentName: string }) {
  return (
    <DeleteButton
      path={`/api/agents/${agentId}`}
      confirmText={`Delete ${agentName}? Its runs stay in the history.`}
      then="/"
      testId="agent-delete"
    />
  );
}
