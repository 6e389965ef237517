// A throw-away Postgres cluster for tests: initdb into a temp dir, a postmaster on a free port of
// 127.0.0.1 with its socket in that dir, trust auth, durability off. Nothing else on the machine is
// touched (no service, no system cluster, no fixed port). A watchdog process stops the cluster and
// removes its dir when the test process goes, however it goes (a clean exit, a crash, kill -9).
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const execFileAsync = promisify(execFile);

export interface PostgresCluster {
  /** The superuser's URL of the `postgres` database. */
  url: string;
  /** The cluster's directory (data, socket, log): gone once `stop()` resolved. */
  dir: string;
  /** The postmaster's process id, read once it was ready. */
  pid: number;
  /** A new empty database on this cluster, and its URL: one per test file or test. */
  createDatabase(name: string): Promise<string>;
  /** Stops the postmaster (immediate: nothing to keep) and removes the dir. */
  stop(): Promise<void>;
}

/** The newest installed server binaries (`PG_BIN` when set), or a message saying how to get them. */
export function postgresBinDir(): string {
  const fromEnv = process.env.PG_BIN;
  const candidates = fromEnv
    ? [fromEnv]
    : safeReaddir('/usr/lib/postgresql')
        .filter((version) => /^\d+$/.test(version))
        .sort((a, b) => Number(b) - Number(a))
        .map((version) => `/usr/lib/postgresql/${version}/bin`);
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'initdb')));
  if (!found) {
    throw new Error(
      `Postgres server binaries not found (${fromEnv ? `PG_BIN=${fromEnv}` : '/usr/lib/postgresql/*/bin'}): run scripts/ensure-postgres.sh`,
    );
  }
  return found;
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Postgres refuses to run as root: then its commands run as the `postgres` system user (the Debian
 * package creates it) and the cluster's dir belongs to that user.
 */
function clusterUser(): { prefix: string[]; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => {
    try {
      return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: 'pipe' }).trim());
    } catch {
      throw new Error(
        'Postgres refuses to run as root, and there is no `postgres` user to run it as: run scripts/ensure-postgres.sh',
      );
    }
  };
  return { prefix: ['runuser', '-u', 'postgres', '--'], uid: id('-u'), gid: id('-g') };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Waits for its stdin to close (the test process ended it, or died), then stops the postmaster
 * (`$@`: pg_ctl stop) and removes the cluster's dir. pg_ctl returns once the pid file is gone; the
 * postmaster exits a moment later, so it waits for that too (a zombie has exited).
 */
const WATCHDOG = `
data=$1; dir=$2; shift 2
cat >/dev/null
pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null)
if [ -n "$pid" ]; then
  "$@" >/dev/null 2>&1
  running() { [ -e /proc/$pid ] && [ "$(cut -d' ' -f3 /proc/$pid/stat 2>/dev/null)" != Z ]; }
  for _ in $(seq 500); do running || break; sleep 0.01; done
  running && kill -KILL "$pid"
fi
rm -rf "$dir"
`;

export async function startPostgres(): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  const user = clusterUser();
  const asUser = (command: string, ...args: string[]) => [
    ...(user?.prefix ?? []),
    path.join(bin, command),
    ...args,
  ];
  const run = async (argv: string[]) => {
    const [file = '', ...args] = argv;
    await execFileAsync(file, args);
  };

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-pg-'));
  if (user) fs.chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'postgres.log');

  // The watchdog comes first, so even a failed start leaves nothing behind.
  const watchdog = spawn(
    'bash',
    [
      '-c',
      WATCHDOG,
      'postgres-watchdog',
      data,
      dir,
      ...asUser('pg_ctl', 'stop', '-D', data, '-m', 'immediate', '-w'),
    ],
    // Its own process group: a signal to the test's group (Ctrl-C) must not stop the cleanup.
    { stdio: ['pipe', 'ignore', 'ignore'], detached: true },
  );
  watchdog.unref();
  (watchdog.stdin as unknown as net.Socket).unref();
  const stop = () => stopWatchdog(watchdog);

  try {
    await run(
      asUser(
        'initdb',
        ...['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C'],
        ...['--no-sync', '--no-instructions'],
      ),
    );
    const port = await startPostmaster(asUser, run, { data, dir, log });
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const pid = Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return {
      url,
      dir,
      pid,
      createDatabase: async (name) => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(`create database ${pg.escapeIdentifier(name)}`);
        } finally {
          await client.end();
        }
        return `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(name)}`;
      },
      stop,
    };
  } catch (error) {
    const logText = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
    await stop();
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(
      `Could not start a throw-away Postgres: ${(error as Error).message}\n${stderr}${logText}`,
    );
  }
}

/**
 * Starts the postmaster on a free port and waits until it accepts connections. The port was free
 * a moment ago; another process may take it first, so a refused bind tries another one.
 */
async function startPostmaster(
  asUser: (command: string, ...args: string[]) => string[],
  run: (argv: string[]) => Promise<void>,
  { data, dir, log }: { data: string; dir: string; log: string },
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const options = [
      `-p ${port}`,
      // pg_ctl hands these to a shell.
      `-k '${dir}'`,
      '-c listen_addresses=127.0.0.1',
      // A test cluster keeps nothing through a crash: skip what makes writes durable.
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
    ].join(' ');
    try {
      await run(asUser('pg_ctl', 'start', '-D', data, '-l', log, '-w', '-t', '60', '-o', options));
      return port;
    } catch (error) {
      const refusedPort =
        fs.existsSync(log) && /could not bind|Address already in use/.test(fs.readFileSync(log, 'utf8'));
      if (!refusedPort || attempt === 3) throw error;
    }
  }
}

function stopWatchdog(watchdog: ChildProcess): Promise<void> {
  if (watchdog.exitCode !== null || watchdog.signalCode !== null) return Promise.resolve();
  // Held by the event loop while it cleans up: unref'd, the test process could end before it did.
  watchdog.ref();
  return new Promise((resolve) => {
    watchdog.once('exit', () => resolve());
    watchdog.stdin?.end();
  });
}

/** One query on the database at `url`, on a connection of its own, as an operator would check it with psql. */
export async function queryPostgres<Row>(url: string, sql: string, values: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as Row[];
  } finally {
    await client.end();
  }
}
