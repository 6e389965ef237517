import type { AccessCredentials } from '../auth/credentials';
import { type ExecutionSummary, isActiveStatus } from '../contracts/executions';
import { unavailable } from '../core/errors';
import { globalSlot } from '../core/singleton';
import type { RunEngine } from '../engine/engine';
import type { Backend } from './backend';

/**
 * What server.ts starts once per process and Next's compiled routes use: they are separate
 * module graphs, so the instance lives on globalThis. Type-only imports keep the agent SDK out of
 * Next's bundles.
 */
export interface Runtime {
  engine: RunEngine;
  /** Schedules, workflows, host metrics and notifications, around the engine. */
  backend: Backend;
  credentials: AccessCredentials;
  /** Cookies get `Secure` when people reach the server over https (CLAUDEOPS_PUBLIC_URL). */
  secureCookies: boolean;
  /** The hash of the sources server.ts runs (scripts/sourceHash.mjs). */
  buildId: string;
}

const installed = globalSlot<Runtime>('runtime');

export function installRuntime(runtime: Runtime): void {
  installed.set(runtime);
}

/**
 * The runtime, when it runs the same code as the caller. Next inlines the build's id into the
 * compiled routes; a server started from other sources than the build (edited since, or a stale
 * `.next`) would otherwise mix two versions of the code in one process.
 */
export function getRuntime(): Runtime | undefined {
  const runtime = installed.get();
  const routesBuild = process.env.CLAUDEOPS_BUILD_ID;
  if (runtime && routesBuild !== undefined && routesBuild !== runtime.buildId) return undefined;
  return runtime;
}

/** For routes that need the agent runtime: a 503 when Next runs without server.ts, or from another build. */
export function requireRuntime(): Runtime {
  const runtime = installed.get();
  if (!runtime) throw unavailable('The agent runtime is not running; start ClaudeOps with npm start');
  if (!getRuntime()) {
    throw unavailable('The server and the compiled pages come from different builds; restart with npm start');
  }
  return runtime;
}

/**
 * Fills in what lives in the engine's memory rather than in SQLite: queue positions and wait
 * reasons, and the ending of a run that storage could not take yet (the row still says `running`
 * until it can).
 */
export function withQueuePositions<T extends ExecutionSummary>(executions: T[]): T[] {
  const engine = getRuntime()?.engine;
  if (!engine) return executions;
  return executions.map((execution) => {
    if (!isActiveStatus(execution.status)) return execution;
    const live = engine.liveView(execution.id);
    if (live && !isActiveStatus(live.status)) {
      const { status, errorCode, errorMessage, finishedAt, durationMs } = live;
      return { ...execution, status, errorCode, errorMessage, finishedAt, durationMs };
    }
    return execution.status === 'queued'
      ? {
          ...execution,
          queuePosition: engine.queuePosition(execution.id),
          waitReason: engine.waitReason(execution.id),
        }
      : execution;
  });
}
