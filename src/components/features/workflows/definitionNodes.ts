import type { RunIf } from '@/lib/contracts/workflows';
import type { GraphNodeView } from './WorkflowGraph';

/** When a step with dependencies runs, in words (the editor's choice and the tables). */
export const RUN_IF_LABELS: Record<RunIf, string> = {
  success: 'every dependency completed',
  failure: 'a dependency failed',
  always: 'always, once dependencies ended',
};

const RUN_IF_NOTES: Record<RunIf, string | undefined> = {
  success: undefined,
  failure: 'runs if one fails',
  always: 'always runs',
};

/** The boxes of a definition's graph (saved, or a draft): each names its agent, and how it runs unless on success. */
export function definitionNodes(
  steps: readonly { key: string; agentId: number | string; runIf: RunIf; prompt: string }[],
  agentNames: ReadonlyMap<string, string>,
): Map<string, GraphNodeView> {
  return new Map(
    steps.map((step): [string, GraphNodeView] => [
      step.key,
      {
        key: step.key,
        runIf: step.runIf,
        lines: [agentNames.get(String(step.agentId)) ?? 'no agent yet', RUN_IF_NOTES[step.runIf]],
        title: `${step.key}: ${step.prompt}`,
      },
    ]),
  );
}
