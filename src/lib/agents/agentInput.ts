import fs from 'node:fs';
import type { CreateAgentInput, UpdateAgentInput } from '../contracts/agents';
import { conflict, invalidField } from '../core/errors';
import type { Db } from '../db/index';
import { isAgentNameTaken } from '../db/queries/agents';

/** Checks that need the server (the file system, other rows) on top of the shared zod schema. */
export function assertAgentInputAllowed(
  db: Db,
  input: CreateAgentInput | UpdateAgentInput,
  agentId?: number,
): void {
  if (input.name !== undefined && isAgentNameTaken(db, input.name, agentId)) {
    throw conflict(`An agent named "${input.name}" already exists`, 'name');
  }
  const dir = input.workingDirectory;
  if (dir !== undefined && dir !== null && !fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw invalidField('workingDirectory', 'No such directory on this machine');
  }
}
