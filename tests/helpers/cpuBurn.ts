import { childrenCpuSeconds } from '../../scripts/shellTimes.mjs';
import type { ScriptedTurn } from './scriptedModelServer';

export interface CpuBurn {
  /** CPU-bound `yes` processes the tool starts side by side. */
  children: number;
  seconds: number;
  /** Holds the final answer back, so the run is still going after the tool's result. */
  answerDelayMs?: number;
}

/** Model turns of a run whose Bash tool keeps CPU-bound children busy for a few seconds, then answers. */
export function cpuBurnTurns({ children, seconds, answerDelayMs = 0 }: CpuBurn): ScriptedTurn[] {
  // `times` after the wait: the CPU the children really got, which a busy machine makes less than
  // `children × seconds`, so a test can hold the recorded figures to it.
  const command = `sh -c 'for i in $(seq ${children}); do timeout ${seconds} yes > /dev/null & done; wait; times'; echo burnt`;
  return [
    {
      content: [{ type: 'tool_use', name: 'Bash', input: { command, description: 'Burn CPU' } }],
      usage: { input_tokens: 500, output_tokens: 20 },
    },
    {
      content: [{ type: 'text', text: 'Done burning.' }],
      usage: { input_tokens: 600, output_tokens: 10 },
      delayMs: answerDelayMs,
    },
  ];
}

/** The CPU seconds (user + system) the burn's children used, from the `times` output in its tool result. */
export function burntCpuSeconds(toolOutput: string): number {
  const seconds = childrenCpuSeconds(toolOutput);
  if (seconds === undefined) throw new Error(`no times output in: ${toolOutput}`);
  return seconds;
}
