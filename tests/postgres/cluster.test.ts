// The throw-away cluster itself (tests/helpers/postgres.ts): it answers, and it leaves nothing
// behind, whether stopped or orphaned by a killed test process.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import readline from 'node:readline';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startPostgres } from '../helpers/postgres';

/** The process exists and has not exited (a zombie has: only its parent has still to reap it). */
const alive = (pid: number) => {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] !== 'Z';
  } catch {
    return false;
  }
};

describe('a throw-away Postgres cluster', () => {
  it('serves its own databases on 127.0.0.1, and is gone once stopped', async () => {
    const cluster = await startPostgres();
    const url = await cluster.createDatabase('one_of_many');
    expect(url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/one_of_many$/);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query(
      "select current_database() as db, current_setting('fsync') as fsync, inet_server_addr()::text as addr",
    );
    await client.end();
    expect(rows).toEqual([{ db: 'one_of_many', fsync: 'off', addr: '127.0.0.1/32' }]);

    await cluster.stop();

    expect(fs.existsSync(cluster.dir)).toBe(false);
    expect(alive(cluster.pid)).toBe(false);
    await expect(new pg.Client({ connectionString: cluster.url }).connect()).rejects.toThrow(/ECONNREFUSED/);
  });

  it('stops and is removed when the process that started it is killed (kill -9)', async () => {
    const holder = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/postgresHolder.ts'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = await once(readline.createInterface({ input: holder.stdout }), 'line');
    const { dir, pid } = JSON.parse(String(line)) as { dir: string; pid: number };
    expect(alive(pid)).toBe(true);
    expect(fs.existsSync(dir)).toBe(true);

    holder.kill('SIGKILL');

    await expect.poll(() => alive(pid), { timeout: 30_000, interval: 100 }).toBe(false);
    await expect.poll(() => fs.existsSync(dir), { timeout: 30_000, interval: 100 }).toBe(false);
  });
});
