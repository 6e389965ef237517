/**
 * One scheduler process for the "two servers on one file" test: opens its own connection, waits
 * for a shared wall-clock moment so both processes tick together, ticks once at the given instant
 * and prints what it fired as JSON.
 * Usage: node --import tsx tests/helpers/schedulerProcess.ts <db path> <now ms> <start at ms>
 */
import { openDatabase } from '../../src/lib/db';
import { sqliteStore } from '../../src/lib/db/store';
import { Scheduler } from '../../src/lib/scheduling/scheduler';
import { captureLogger, DbLauncher, ManualClock } from './scheduling';

const [databasePath = '', now = '0', startAt = '0'] = process.argv.slice(2);
const handle = openDatabase(databasePath);
const scheduler = new Scheduler({
  store: sqliteStore(handle.db),
  launcher: new DbLauncher(handle.db),
  logger: captureLogger().logger,
  clock: new ManualClock(Number(now)),
});
while (Date.now() < Number(startAt)) {
  // Spin: a timer would add its own delay, and the point is to collide.
}
const firings = await scheduler.tick();
handle.sqlite.close();
process.stdout.write(
  JSON.stringify(firings.map(({ scheduleId, executionId }) => ({ scheduleId, executionId }))),
);
