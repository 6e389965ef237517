import type { AccessCredentials } from './auth/credentials';
import type { ExecutionSummary } from './contracts/executions';
import { unavailable } from './errors';
import type { ExecutionTracker } from './services/executionTracker';
import { globalSlot } from './singleton';

/**
 * What server.ts starts once per process and Next's compiled routes use: they are separate
 * module graphs, so the instance lives on globalThis. Type-only imports keep the agent SDK out of
 * Next's bundles.
 */
export interface Runtime {
  tracker: ExecutionTracker;
  credentials: AccessCredentials;
  /** Cookies get `Secure` when people reach the server over https (CLAUDEOPS_PUBLIC_URL). */
  secureCookies: boolean;
}

const installed = globalSlot<Runtime>('runtime');

export function installRuntime(runtime: Runtime): void {
  installed.set(runtime);
}

export function getRuntime(): Runtime | undefined {
  return installed.get();
}

/** For routes that need the agent runtime: a 503 when Next runs without server.ts. */
export function requireRuntime(): Runtime {
  const runtime = getRuntime();
  if (!runtime) throw unavailable('The agent runtime is not running; start ClaudeOps with npm start');
  return runtime;
}

/** Fills in queue positions, which live in the tracker's memory rather than in SQLite. */
export function withQueuePositions<T extends ExecutionSummary>(executions: T[]): T[] {
  const tracker = getRuntime()?.tracker;
  if (!tracker) return executions;
  return executions.map((execution) =>
    execution.status === 'queued'
      ? { ...execution, queuePosition: tracker.queuePosition(execution.id) }
      : execution,
  );
}
