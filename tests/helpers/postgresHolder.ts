/**
 * A process that starts a throw-away Postgres, prints `{ dir, pid }` as JSON and waits to be killed:
 * the cluster must go with it, even on kill -9.
 * Usage: node --import tsx tests/helpers/postgresHolder.ts
 */
import { startPostgres } from './postgres';

const cluster = await startPostgres();
console.log(JSON.stringify({ dir: cluster.dir, pid: cluster.pid }));
setInterval(() => {}, 60_000);
