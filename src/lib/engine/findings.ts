import type { StepDraft } from '../claude/messages';
import type { RunWarning } from '../contracts/executions';
import { recordRunFindings } from '../db/queries/executions';
import type { ActiveRun } from './activeRun';
import { type DenialInput, denialStep } from './denials';
import type { Ledger } from './ledger';

/**
 * What a run finds out about itself besides its output: denied calls and warnings. Each is a step
 * on its timeline, a field of its view, and written at once (a parked or crashed run keeps them).
 */

function persist(ledger: Ledger, run: ActiveRun): void {
  const findings = {
    deniedToolCalls: run.denials.count,
    denials: run.denials.list(),
    warnings: run.warnings,
  };
  Object.assign(run.view, findings);
  ledger.record((tx) => recordRunFindings(tx, run.executionId, findings));
}

/** Records a denied call; false when it was known already (or was a parked call's interrupt). */
export function noteDenial(ledger: Ledger, run: ActiveRun, denial: DenialInput, at = Date.now()): boolean {
  const recorded = run.denials.add(denial, at);
  if (!recorded) return false;
  run.output.addStep(denialStep(recorded));
  run.output.addLog({ level: 'warn', text: `[denied] ${recorded.toolName}: ${recorded.message}` });
  persist(ledger, run);
  return true;
}

/** Records a warning once per kind. */
export function noteWarning(ledger: Ledger, run: ActiveRun, warning: RunWarning): boolean {
  if (run.warnings.some((known) => known.code === warning.code)) return false;
  run.warnings = [...run.warnings, warning];
  run.output.addStep(systemStep(warning.message, { type: 'warning', ...warning }, true));
  run.output.addLog({ level: 'warn', text: `[warning] ${warning.message}` });
  persist(ledger, run);
  return true;
}

/** A step ClaudeOps adds to a run's timeline (approvals, parks, resumes, warnings). */
export function systemStep(
  summary: string,
  payload: Record<string, unknown>,
  isError = false,
  tool: { toolName: string; toolUseId: string } | null = null,
): StepDraft {
  return {
    kind: 'system',
    summary,
    payload,
    toolName: tool?.toolName ?? null,
    toolUseId: tool?.toolUseId ?? null,
    isError,
  };
}

/** A step and its log line at once. */
export function noteStep(run: ActiveRun, step: StepDraft): void {
  run.output.addStep(step);
  run.output.addLog({ level: step.isError ? 'warn' : 'info', text: `[claudeops] ${step.summary}` });
}
