import http from 'node:http';
import next from 'next';
import { builtId, sourceHash } from './scripts/sourceHash.mjs';
import { AccessCredentials, loadSessionKey } from './src/lib/auth/credentials';
import { startSpawnHelper } from './src/lib/claude/spawnHelper';
import { env } from './src/lib/config/env';
import { appLogger, logProcessErrors } from './src/lib/core/logger';
import { execute } from './src/lib/db/plan';
import { countPendingApprovals, listPendingApprovals } from './src/lib/db/queries/approvals';
import { getExecutionLive, listRecentAndActive } from './src/lib/db/queries/executions';
import { listRecentAndActiveWorkflowRuns } from './src/lib/db/queries/workflowRuns';
import { recoverFromUnexpectedStop } from './src/lib/engine/recovery';
import { seedBuiltins } from './src/lib/health/seed';
import { createHttpGate } from './src/lib/security/httpGate';
import { processSecretMasker } from './src/lib/security/secrets';
import { startBackend } from './src/lib/server/backend';
import { openServerDatabase } from './src/lib/server/database';
import { type Drain, startDrain } from './src/lib/server/drain';
import { announceInterruptedRun } from './src/lib/server/runHost';
import { installRuntime, withQueuePositions } from './src/lib/server/runtime';
import { describeStartupError, StartupError, type StartupPlace } from './src/lib/server/startupErrors';
import { createRealtimeServer, type RealtimeServer } from './src/lib/websocket/server';

/** How long the stop takes at most once runs are stopped (after the drain, CLAUDEOPS_DRAIN_SECONDS). */
const SHUTDOWN_GRACE_MS = 15_000;
/** Runs a (re)subscribing list gets: every active one, and this many of the newest. */
const RECENT_FOR_LISTS = 100;
/** Workflow runs a (re)subscribing page gets, whole: every unfinished one, and this many of the newest. */
const RECENT_WORKFLOW_RUNS = 20;

function formatOrigin(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Closes the store once it is open (a start that fails after opening it closes it). */
let closeDatabase: () => Promise<void> = async () => {};
/** Until the server runs, an uncaught exception ends the start at once. */
let stopOnException: () => void = () => process.exit(1);
/** Until the backend runs there is nothing to stop: a signal ends the start at once. */
let stopOnSignal: (signal: NodeJS.Signals) => void = () => process.exit(0);
// Caught from the first moment: a signal that comes before any handler kills the process outright,
// and the start is synchronous up to Next's prepare, so by the time the event loop hands a signal
// to this handler the backend's shutdown is in place.
process.on('SIGINT', (signal) => stopOnSignal(signal));
process.on('SIGTERM', (signal) => stopOnSignal(signal));

async function main(): Promise<void> {
  const appEnv = env();
  const logger = appLogger();
  logProcessErrors(logger, () => stopOnException());
  // Agents' processes are started by a helper forked now, while this process is small (spawnHelper.ts).
  startSpawnHelper();
  const dev = appEnv.nodeEnv !== 'production';
  // The bundle (`npm start`, scripts/serverBundle.mjs) carries the id of the sources it was made
  // from; run from source (`npm run dev`), the sources are hashed.
  const buildId = process.env.CLAUDEOPS_BUNDLED_BUILD_ID ?? sourceHash(import.meta.dirname);
  if (!dev && builtId(import.meta.dirname) !== buildId) {
    throw new StartupError(
      'The production build in .next was made from other sources than these (or is missing): ' +
        'run `npm run build` (`npm start` does it for you) and start again.',
    );
  }

  // The database is ready, migrated and seeded before anything listens.
  const database = await openServerDatabase(appEnv, logger);
  closeDatabase = () => database.close();
  const { store } = database;
  // On the SQLite file this server was the only one: what the last left running is over. On
  // Postgres other processes run agents too: the reaper settles the runs of workers that died.
  if (database.sqlite)
    await recoverFromUnexpectedStop(store, appEnv.databasePath, logger, announceInterruptedRun);
  await seedBuiltins(store);

  const credentials = new AccessCredentials(store, appEnv.accessToken, loadSessionKey(appEnv.dataDir));
  const firstToken = appEnv.authEnabled ? await credentials.ensureToken() : null;
  const backend = await startBackend({
    store,
    sqlite: database.sqlite,
    env: appEnv,
    logger,
    masker: processSecretMasker(),
  });
  const { engine } = backend;
  installRuntime({
    engine,
    backend,
    credentials,
    secureCookies: appEnv.publicUrl?.protocol === 'https:',
    buildId,
  });

  // From here on the scheduler and the engine can start runs: a signal stops them cleanly even
  // while Next prepares and before the server listens.
  let server: http.Server | undefined;
  let realtime: RealtimeServer | undefined;
  let shuttingDown = false;
  let drain: Drain | undefined;
  const shutdown = async (signal: NodeJS.Signals | 'uncaughtException') => {
    if (shuttingDown) {
      // A second signal during the drain: what still runs is handed back now.
      if (signal !== 'uncaughtException') drain?.handBackNow();
      return;
    }
    shuttingDown = true;
    logger.info({ signal, activeRuns: engine.activeCount }, 'shutting down');
    // An exception is no time to wait for runs; a drain of 0 s stops them at once, as before drains.
    const drainMs = signal === 'uncaughtException' ? 0 : appEnv.drainMs;
    const forceExit = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, drainMs + SHUTDOWN_GRACE_MS);
    // People watching see the runs finish live: HTTP and the socket stay up during the drain.
    if (drainMs > 0) {
      drain = startDrain(backend, drainMs, logger);
      // The stop goes on regardless: what the drain left is stopped below, as without one.
      await drain.done.catch((err: unknown) => logger.error({ err }, 'the drain failed; stopping the runs'));
    }
    server?.close();
    realtime?.close();
    await backend.stop();
    server?.closeAllConnections();
    await database.close();
    clearTimeout(forceExit);
    process.exit(signal === 'uncaughtException' ? 1 : 0);
  };
  stopOnSignal = (signal) => void shutdown(signal);
  stopOnException = () => void shutdown('uncaughtException');

  const app = next({ dev, dir: import.meta.dirname, hostname: appEnv.host, port: appEnv.port });
  await app.prepare();
  if (shuttingDown) return;
  const handleRequest = app.getRequestHandler();
  const handleNextUpgrade = app.getUpgradeHandler();

  // Every request and upgrade passes the gate (Host, Origin, auth, CSRF) before Next or /ws sees it.
  const gate = createHttpGate({
    policy: {
      allowedHostnames: new Set(appEnv.allowedHostnames),
      extraOrigins: new Set(appEnv.allowedOrigins),
      authEnabled: appEnv.authEnabled,
    },
    credentials,
    scheme: 'http',
    dev,
  });
  server = http.createServer((request, response) => {
    gate.admit(request, response).then(
      (admitted) => (admitted ? handleRequest(request, response) : undefined),
      (err: unknown) => {
        logger.error({ err }, 'request could not be checked');
        if (!response.headersSent) response.writeHead(500).end();
      },
    );
  });
  realtime = createRealtimeServer({
    store,
    feed: backend.runFeed,
    events: engine.events,
    backendEvents: backend.events,
    viewOf: async (executionId) =>
      engine.liveView(executionId) ?? (await execute(store, getExecutionLive(store, executionId))),
    logger,
    // Re-checked on every heartbeat: rotating the token closes sockets opened with the old session.
    isStillAuthorized: (request) => gate.isAuthorized(request),
    commands: {
      cancelExecution: (executionId) => engine.cancel(executionId),
      circuitState: () => engine.circuit(),
      recentExecutions: async () =>
        withQueuePositions(await execute(store, listRecentAndActive(store, RECENT_FOR_LISTS))),
      recentWorkflowRuns: () => execute(store, listRecentAndActiveWorkflowRuns(store, RECENT_WORKFLOW_RUNS)),
      pendingApprovals: async () => ({
        items: await execute(store, listPendingApprovals(store)),
        counts: await execute(store, countPendingApprovals(store)),
      }),
      storageStatus: () => backend.storage.status(),
    },
  });

  server.on('upgrade', async (request, socket, head) => {
    const admitted = await gate.admitUpgrade(request, socket).catch((err: unknown) => {
      logger.error({ err }, 'upgrade could not be checked');
      socket.destroy();
      return false;
    });
    if (!admitted) return;
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (pathname === '/ws') realtime.handleUpgrade(request, socket, head);
    // Next only needs upgrades for hot reload in development.
    else if (dev) void handleNextUpgrade(request, socket, head);
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(appEnv.port, appEnv.host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : appEnv.port;
  const origin = formatOrigin(appEnv.host, port);
  console.log(`ClaudeOps listening on ${origin}`);
  backend.startDelivery(appEnv.publicUrl?.origin ?? origin);
  if (firstToken) {
    // Shown once, on the console only: the database keeps just its hash.
    console.log(
      `Sign in with this link (shown once; \`npm run token\` makes a new one):\n  ${origin}/signin?token=${firstToken}`,
    );
  } else if (!appEnv.authEnabled) {
    console.log('Authentication is off (CLAUDEOPS_AUTH=off): anything on this machine can drive ClaudeOps.');
  }
}

main().catch(async (error: unknown) => {
  console.error(describeStartupError(error, startupPlace()));
  await closeDatabase().catch(() => undefined);
  process.exit(1);
});

/** Where the server was to listen and keep its data; undefined when the environment itself is bad. */
function startupPlace(): StartupPlace | undefined {
  try {
    const { host, port, dataDir } = env();
    return { host, port, dataDir };
  } catch {
    return undefined;
  }
}
