import type { StepDto, StepKind } from '@/lib/contracts/executions';

export type TimelineRow =
  | { kind: 'tool'; use: StepDto; result: StepDto | undefined }
  | { kind: 'step'; step: StepDto };

/** Which rows the timeline shows: all, the model's words, tool calls, or what went wrong. */
export const STEP_FILTERS = { all: 'All', text: 'Text', tools: 'Tool calls', errors: 'Errors' } as const;
export type StepFilter = keyof typeof STEP_FILTERS;

const TEXT_KINDS: readonly StepKind[] = ['assistant_text', 'thinking', 'result'];

export function rowMatches(row: TimelineRow, filter: StepFilter): boolean {
  if (filter === 'all') return true;
  if (filter === 'tools') return row.kind === 'tool';
  if (filter === 'errors') return row.kind === 'tool' ? row.result?.isError === true : row.step.isError;
  return row.kind === 'step' && TEXT_KINDS.includes(row.step.kind);
}

/** One row per step, except that a tool call and its result share the call's row. */
export function pairToolSteps(steps: readonly StepDto[]): TimelineRow[] {
  const results = new Map<string, StepDto>();
  const calls = new Set<string>();
  for (const step of steps) {
    if (step.toolUseId === null) continue;
    if (step.kind === 'tool_result') results.set(step.toolUseId, step);
    else if (step.kind === 'tool_use') calls.add(step.toolUseId);
  }
  const rows: TimelineRow[] = [];
  for (const step of steps) {
    if (step.kind === 'tool_use' && step.toolUseId !== null) {
      rows.push({ kind: 'tool', use: step, result: results.get(step.toolUseId) });
    } else if (step.kind !== 'tool_result' || step.toolUseId === null || !calls.has(step.toolUseId)) {
      rows.push({ kind: 'step', step });
    }
  }
  return rows;
}
