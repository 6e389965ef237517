import { ConfirmDeleteButton } from '@/components/ui/ConfirmDeleteButton';

/** Deletes the agent after an inline confirmation; its past runs and costs stay in the history. */
export function DeleteAgentButton({ agentId, agentName }: { agentId: number; agentName: string }) {
  return (
    <ConfirmDeleteButton
      apiPath={`/api/agents/${agentId}`}
      question={`Delete ${agentName}? Its runs stay in the history.`}
      then="/"
      testId="agent-delete"
    />
  );
}
