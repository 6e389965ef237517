// How a worker streams a run's output in the live feed's tests and bench (no test runner here: the
// worker process of tests/helpers/liveWriterProcess.ts imports it too).
import type { RunOutput } from '../../src/lib/engine/outputWriter';

/**
 * `count` lines (a step every 7th), as an agent's output comes: in bursts of 1 to 40 lines, each
 * burst its own turn of the event loop, so the writer's group commit makes many commits.
 */
export async function streamLines(output: RunOutput, count: number, label: string): Promise<void> {
  let written = 0;
  while (written < count) {
    const burst = Math.min(count - written, 1 + ((written * 7919) % 40));
    for (let i = 0; i < burst; i++) {
      written += 1;
      if (written % 7 === 0) output.addStep(stepDraft(`${label} step ${written}`));
      output.addLog({ level: 'info', text: `${label} line ${written}` });
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  output.flush();
}

const stepDraft = (summary: string) => ({
  kind: 'system' as const,
  summary,
  toolName: null,
  toolUseId: null,
  isError: false,
  payload: null,
});
