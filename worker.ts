import { startSpawnHelper } from './src/lib/claude/spawnHelper';
import { env } from './src/lib/config/env';
import { thisHost } from './src/lib/config/host';
import { appLogger, logProcessErrors } from './src/lib/core/logger';
import { execute } from './src/lib/db/plan';
import { openPostgresReadOnly } from './src/lib/db/postgres';
import { getAppSettings } from './src/lib/db/queries/settings';
import { startHostMetrics } from './src/lib/metrics/hostMetrics';
import { hostMetricsSettings } from './src/lib/metrics/retention';
import { RunResourceSampler } from './src/lib/metrics/runResourceSampler';
import { hostConditionChecker } from './src/lib/notifications/hostConditions';
import { hostReading } from './src/lib/notifications/producers';
import { processSecretMasker } from './src/lib/security/secrets';
import { openServerDatabase } from './src/lib/server/database';
import { type Drain, startDrain } from './src/lib/server/drain';
import { startRunHost } from './src/lib/server/runHost';
import { describeStartupError, StartupError } from './src/lib/server/startupErrors';

// `npm run worker`: a worker host. It claims queued runs from the Postgres database the web
// process uses (DATABASE_URL) and runs their agents on this machine; the dashboard shows it on
// the Workers page (docs/scaling.md).

/** How often the worker reads the settings (limits, the breaker) the dashboard saves. */
const SETTINGS_REFRESH_MS = 5_000;
/** How long the stop takes at most once runs are handed back (after the drain). */
const SHUTDOWN_GRACE_MS = 15_000;

async function main(): Promise<void> {
  const appEnv = env();
  const logger = appLogger();
  if (!appEnv.databaseUrl) {
    throw new StartupError(
      'A worker host claims runs from the Postgres database the dashboard uses: set DATABASE_URL (postgres://…), as for the web process.',
    );
  }
  let stop: (signal: NodeJS.Signals | 'uncaughtException') => void = () => process.exit(1);
  logProcessErrors(logger, () => stop('uncaughtException'));
  // Agents' processes are started by a helper forked now, while this process is small (spawnHelper.ts).
  startSpawnHelper();
  process.on('SIGINT', (signal) => stop(signal));
  process.on('SIGTERM', (signal) => stop(signal));

  const database = await openServerDatabase(appEnv, logger);
  const { store } = database;
  const readOnly = openPostgresReadOnly(appEnv.databaseUrl, (err) =>
    logger.warn({ err }, 'a read-only Postgres connection was lost; the next query connects again'),
  );
  const sampler = new RunResourceSampler({ store, logger, instance: appEnv.databasePath });
  const settings = await execute(store, getAppSettings(store));
  // This machine's CPU, memory, disks and network, charted on the System page under its host, and
  // checked against the host thresholds: the web process delivers what this records.
  const checkHost = hostConditionChecker(store, logger);
  const hostName = thisHost();
  const hostMetrics = startHostMetrics({
    store,
    host: hostName,
    logger,
    ...hostMetricsSettings(settings),
    onSample: (sample) => checkHost(hostReading(hostName, sample)),
  });
  const host = await startRunHost({
    store,
    postgresUrl: appEnv.databaseUrl,
    env: appEnv,
    logger,
    masker: processSecretMasker(),
    settings,
    healthStore: readOnly.store,
    runsAgents: true,
    processes: sampler,
  });
  const { engine, worker } = host;
  // The dashboard's saves reach this process through the database.
  const refresh = setInterval(() => {
    execute(store, getAppSettings(store)).then(
      (settings) => {
        engine.followSettings(settings);
        hostMetrics.reconfigure(hostMetricsSettings(settings));
      },
      (err: unknown) => logger.warn({ err }, 'settings could not be read; the next refresh tries again'),
    );
  }, SETTINGS_REFRESH_MS);
  engine.pump();
  logger.info({ workerId: worker.id, labels: worker.labels }, 'worker host claiming runs');

  let stopping = false;
  let drain: Drain | undefined;
  stop = (signal) => {
    if (stopping) {
      // A second signal during the drain: what still runs is handed back now.
      if (signal !== 'uncaughtException') drain?.handBackNow();
      return;
    }
    stopping = true;
    void (async () => {
      const drainMs = signal === 'uncaughtException' ? 0 : appEnv.drainMs;
      setTimeout(() => process.exit(1), drainMs + SHUTDOWN_GRACE_MS).unref();
      logger.info({ signal, activeRuns: engine.activeCount }, 'worker stopping');
      clearInterval(refresh);
      if (drainMs > 0) {
        drain = startDrain(host, drainMs, logger);
        await drain.done.catch((err: unknown) =>
          logger.error({ err }, 'the drain failed; stopping the runs'),
        );
      }
      await host.stop();
      await sampler.stop();
      await hostMetrics.stop();
      await readOnly.close();
      await database.close();
      process.exit(signal === 'uncaughtException' ? 1 : 0);
    })();
  };
}

main().catch((error: unknown) => {
  appLogger().fatal({ err: error }, describeStartupError(error, undefined));
  process.exit(1);
});
