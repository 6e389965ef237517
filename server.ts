import http from 'node:http';
import next from 'next';
import { closeDb, getDbHandle } from './src/lib/db';
import { applyMigrations } from './src/lib/db/migrate';
import { env } from './src/lib/env';
import { createLogger } from './src/lib/logger';
import { installRuntime } from './src/lib/runtime';
import { ExecutionEventBus } from './src/lib/services/executionEvents';
import { ExecutionTracker } from './src/lib/services/executionTracker';
import { seedBuiltinAgents } from './src/lib/services/seed';
import { createRealtimeServer } from './src/lib/websocket/server';

const SHUTDOWN_GRACE_MS = 15_000;

function formatOrigin(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

async function main(): Promise<void> {
  const appEnv = env();
  const logger = createLogger(appEnv.logLevel);
  const dev = appEnv.nodeEnv !== 'production';

  // The database is ready, migrated and seeded before anything listens.
  const handle = getDbHandle();
  applyMigrations(handle);
  seedBuiltinAgents(handle.db);

  const bus = new ExecutionEventBus();
  const tracker = new ExecutionTracker({ handle, bus, env: appEnv, logger });
  installRuntime({ tracker });

  const app = next({ dev, dir: import.meta.dirname, hostname: appEnv.host, port: appEnv.port });
  await app.prepare();
  const handleRequest = app.getRequestHandler();
  const handleNextUpgrade = app.getUpgradeHandler();

  const server = http.createServer((request, response) => {
    void handleRequest(request, response);
  });
  const realtime = createRealtimeServer({ db: handle.db, bus, logger });

  server.on('upgrade', (request, socket, head) => {
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
  console.log(`ClaudeOps listening on ${formatOrigin(appEnv.host, port)}`);

  let shuttingDown = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info('shutting down', { signal, activeRuns: tracker.activeCount });
    const forceExit = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    server.close();
    realtime.close();
    await tracker.shutdown();
    server.closeAllConnections();
    closeDb();
    clearTimeout(forceExit);
    process.exit(0);
  };
  process.on('SIGINT', (signal) => void shutdown(signal));
  process.on('SIGTERM', (signal) => void shutdown(signal));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  closeDb();
  process.exit(1);
});
