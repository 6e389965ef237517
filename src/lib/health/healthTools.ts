import { createSdkMcpServer, tool } from '@anthropic-ai/claude-agent-sdk';
import { z } from 'zod';
import type { AgentTools } from '../claude/client';
import type { Store } from '../db/store';
import {
  claudeopsActivity,
  currentMetrics,
  diskForecast,
  metricStats,
  topProcesses,
  workerHosts,
} from './metricsQuestions';

const SERVER = 'claudeops';
const READ_ONLY = { annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false } };

type Answer = { content: { type: 'text'; text: string }[]; isError?: boolean };

/** A tool's answer as JSON text; a failure is the tool's error, never the run's. */
async function answer(question: () => unknown): Promise<Answer> {
  try {
    return { content: [{ type: 'text', text: JSON.stringify(await question(), null, 2) }] };
  } catch (error) {
    return {
      content: [
        { type: 'text', text: `Could not answer: ${error instanceof Error ? error.message : String(error)}` },
      ],
      isError: true,
    };
  }
}

/**
 * The System Health Reporter's in-process tools: questions about the recorded metrics and about
 * ClaudeOps itself, answered from `store` (on SQLite a read-only connection). None takes SQL or a
 * path, and the connection refuses writes anyway. The handlers are async: the SDK awaits them.
 */
export function healthTools(store: Store): AgentTools {
  const now = () => Date.now();
  const tools = [
    tool(
      'current_metrics',
      'The latest recorded sample of this machine: CPU busy %, load, cores, memory available %, swap, pressure, and each disk’s use.',
      {},
      () => answer(() => currentMetrics(store, now())),
      READ_ONLY,
    ),
    tool(
      'metric_stats',
      'Averages and peaks of CPU, load and available memory over the last hour or the last day, and how many agent runs overlapped it.',
      { window: z.enum(['1h', '24h']).describe('The window: the last hour or the last 24 hours') },
      ({ window }) => answer(() => metricStats(store, window, now())),
      READ_ONLY,
    ),
    tool(
      'disk_forecast',
      'For each disk: how full it is, how fast it filled over the last week (bytes per day), and in how many days it would be full at that rate.',
      {},
      () => answer(() => diskForecast(store, now())),
      READ_ONLY,
    ),
    tool(
      'top_processes',
      'The processes using the most CPU right now (measured over half a second), with their memory.',
      { limit: z.number().int().min(1).max(25).default(10).describe('How many processes') },
      ({ limit }) => answer(() => topProcesses(limit)),
      READ_ONLY,
    ),
    tool(
      'claudeops_activity',
      'ClaudeOps itself: runs that failed in the last 24 hours (with why), runs under way, and the spend today and this month.',
      {},
      () => answer(() => claudeopsActivity(store, now())),
      READ_ONLY,
    ),
    tool(
      'worker_hosts',
      'The workers that run agents (worker hosts, and this server’s own) that beat in the last day: state (alive, draining, stopped, or no beat: lost), runs under way, each host’s CPU, load, memory and data disk at its last beat, and its CPU and memory (average and peak, in percent) over the last hour.',
      {},
      () => answer(() => workerHosts(store, now())),
      READ_ONLY,
    ),
  ];
  return {
    mcpServers: { [SERVER]: createSdkMcpServer({ name: SERVER, version: '1.0.0', tools }) },
    allowedTools: tools.map((definition) => `mcp__${SERVER}__${definition.name}`),
  };
}
