import type { z } from 'zod';
import { healthReportSchema } from '../lib/contracts/healthReports';
import type { AgentConfiguration } from '../lib/db/schema';
import { SYSTEM_HEALTH_KEY } from './system-health';

/**
 * The agents that answer with a structured object (the SDK's `outputFormat`) and its schema. Only
 * the built-in System Health Reporter does today; its report is what workflows can read through
 * `{{steps.<key>.output.<path>}}`.
 */
export function outputSchemaOf(agent: Pick<AgentConfiguration, 'builtinKey'>): z.ZodType | null {
  return agent.builtinKey === SYSTEM_HEALTH_KEY ? healthReportSchema : null;
}

export const agentReturnsStructuredOutput = (agent: Pick<AgentConfiguration, 'builtinKey'>): boolean =>
  outputSchemaOf(agent) !== null;
