import fs from 'node:fs';
import type { CreateAgentInput, UpdateAgentInput } from '../contracts/agents';
import { assertNoIssues, conflict, invalidField } from '../core/errors';
import { execute } from '../db/plan';
import { getAgentById, isAgentNameTaken } from '../db/queries/agents';
import type { Store } from '../db/store';

const isDirectory = (dir: string) => fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() === true;

/** Checks that need the server (the file system, other rows) on top of the shared zod schema. */
export async function assertAgentInputAllowed(
  store: Store,
  input: CreateAgentInput | UpdateAgentInput,
  agentId?: number,
): Promise<void> {
  if (input.name !== undefined && (await execute(store, isAgentNameTaken(store, input.name, agentId)))) {
    throw conflict(`An agent named "${input.name}" already exists`, 'name');
  }
  const dir = input.workingDirectory;
  if (dir !== undefined && dir !== null && !isDirectory(dir)) {
    throw invalidField('workingDirectory', 'No such directory on this machine');
  }
  assertNoIssues(
    (input.additionalDirectories ?? []).flatMap((extra, index) =>
      isDirectory(extra)
        ? []
        : [{ path: `additionalDirectories.${index}`, message: 'No such directory on this machine' }],
    ),
  );
  if (agentId !== undefined) await assertRulesDoNotClash(store, input, agentId);
}

/** A change to one rule list must not put a rule in both (the schema checks a body that names both). */
async function assertRulesDoNotClash(store: Store, patch: UpdateAgentInput, agentId: number): Promise<void> {
  if (patch.allowedTools === undefined && patch.deniedTools === undefined) return;
  const stored = await execute(store, getAgentById(store, agentId));
  if (!stored) return;
  const denied = new Set(patch.deniedTools ?? stored.deniedTools);
  const allowed = patch.allowedTools ?? stored.allowedTools;
  const field = patch.allowedTools !== undefined ? 'allowedTools' : 'deniedTools';
  const clash = allowed.find((rule) => denied.has(rule));
  if (clash !== undefined)
    throw invalidField(field, `${clash} is both allowed and denied, and a deny always wins`);
}
