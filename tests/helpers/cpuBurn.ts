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

/**
 * The CPU seconds (user + system) the burn's children used, from the `times` output in its tool
 * result: four figures, the shell's user and system time, then its children's.
 */
export function burntCpuSeconds(toolOutput: string): number {
  const figures = [...toolOutput.matchAll(/(\d+)m([\d.]+)s/g)].map(
    ([, minutes, seconds]) => Number(minutes) * 60 + Number(seconds),
  );
  if (figures.length !== 4) throw new Error(`no times output in: ${toolOutput}`);
  return (figures[2] ?? 0) + (figures[3] ?? 0);
}
