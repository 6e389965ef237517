import { priceResponse } from '../src/lib/claude/pricing';
import { structuredOutputTurn } from '../tests/helpers/scriptedModelServer';
import type { E2eStack } from './e2eStack';

const tool = (name: string, input: Record<string, unknown> = {}) => ({
  content: [{ type: 'tool_use' as const, name, input }],
});

/**
 * What one System Health Reporter run costs on its default model: a typical report (five tool
 * calls, then the structured answer) against the scripted model server, which counts a request's
 * input as its size / 4 (no prompt caching, so this is the uncached upper bound).
 */
export async function benchHealthReportCost({ model, api }: E2eStack): Promise<void> {
  const reporter = await api.healthReporter();
  const key = '[bench:health-cost]';
  model.script(key, [
    tool('mcp__claudeops__current_metrics'),
    tool('mcp__claudeops__metric_stats', { window: '24h' }),
    tool('mcp__claudeops__disk_forecast'),
    tool('mcp__claudeops__claudeops_activity'),
    tool('Bash', { command: 'df -h' }),
    structuredOutputTurn({
      status: 'ok',
      summary: 'Nothing needs attention: load, memory and disks are well within bounds.',
      findings: [
        { area: 'cpu', severity: 'info', message: 'Busy 12% on average over the day, peak 48%' },
        { area: 'memory', severity: 'info', message: '61% available' },
        { area: 'disk /', severity: 'info', message: '54% full, not growing' },
        { area: 'claudeops', severity: 'info', message: 'No failed runs in the last day' },
      ],
      recommendations: [],
    }),
  ]);
  const id = await api.startExecution(reporter.id, `Check the machine ${key}`);
  const run = await api.waitForEnd(id, 120_000);
  const requests = model.requests.filter((request) => request.key === key).length;
  console.log(
    `System Health Reporter, one typical run on ${reporter.model} (${requests} model requests, ${run.status}):`,
  );
  console.log(
    `  ${run.inputTokens} input + ${run.outputTokens} output tokens = $${run.costUsd.toFixed(6)} (uncached)`,
  );
  const sonnet = priceResponse(
    'claude-sonnet-4-5',
    {
      inputTokens: run.inputTokens,
      outputTokens: run.outputTokens,
      cacheCreation5mTokens: 0,
      cacheCreation1hTokens: 0,
      cacheReadTokens: 0,
    },
    Date.now(),
  );
  console.log(
    `  the same tokens on claude-sonnet-4-5: $${(sonnet.costMicros / 1e6).toFixed(6)}; hourly for a month (720 runs): $${(run.costUsd * 720).toFixed(2)}\n`,
  );
}
