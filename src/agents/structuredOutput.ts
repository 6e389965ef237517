import { z } from 'zod';
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

/**
 * A zod schema as the JSON Schema the SDK's `outputFormat` takes (and workflow checks read): draft-07,
 * without a `$schema` key (Claude Code refuses 2020-12's).
 */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-7' });
  return rest;
}

/** The agent's output schema as JSON Schema; null for an agent that answers in text. */
export function outputJsonSchemaOf(
  agent: Pick<AgentConfiguration, 'builtinKey'>,
): Record<string, unknown> | null {
  const schema = outputSchemaOf(agent);
  return schema ? jsonSchemaOf(schema) : null;
}
