import { SYSTEM_HEALTH_KEY, systemHealthAgent } from '../../agents/system-health';
import type { Db } from '../db';
import { createAgent, hasBuiltinAgent } from '../db/queries/agents';

/** Seeds the built-in agents once; one the user deleted stays deleted. */
export function seedBuiltinAgents(db: Db): void {
  if (!hasBuiltinAgent(db, SYSTEM_HEALTH_KEY)) createAgent(db, systemHealthAgent, SYSTEM_HEALTH_KEY);
}
