import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { apiClient } from '../helpers/api';
import { BEARER, spawnAppServer, startAppServer } from '../helpers/appServer';
import { unwritableDir } from '../helpers/faults';
import { pidsWithEnv } from '../helpers/processes';
import { type ScriptedModelServer, startScriptedModelServer } from '../helpers/scriptedModelServer';

let model: ScriptedModelServer;

beforeAll(async () => {
  model = await startScriptedModelServer();
});

afterAll(async () => {
  await model?.close();
});

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-life-'));

describe('server start and stop', () => {
  it('refuses to start on a DATABASE_URL it cannot reach, naming where and what to do, never the password', async () => {
    // Port 1 on this machine: nothing listens, the connection is refused at once.
    const databaseUrl = 'postgres://ops:pg-pass-7f3e@127.0.0.1:1/claudeops';
    const started = startAppServer({ modelServerUrl: model.url, env: { DATABASE_URL: databaseUrl } });
    await expect(started).rejects.toThrow(
      /exited with 1[\s\S]*Cannot open Postgres at 127\.0\.0\.1:1\/claudeops: .*ECONNREFUSED.*Check that Postgres runs there/,
    );
    await expect(started).rejects.not.toThrow(/pg-pass-7f3e/);
  });

  it('creates the database where DATABASE_PATH says, migrated, on first start', async () => {
    const databasePath = path.join(tempDir(), 'nested', 'custom.db');
    const app = await startAppServer({ modelServerUrl: model.url, env: { DATABASE_PATH: databasePath } });
    const health = await fetch(`${app.url}/api/agents`, { headers: BEARER });
    expect(health.status).toBe(200);
    expect(await app.stop()).toBe(0);
    const db = new Database(databasePath, { readonly: true });
    const tables = (
      db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]
    ).map((t) => t.name);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    expect(tables).toEqual(
      expect.arrayContaining([
        'agent_configurations',
        'executions',
        'execution_steps',
        'execution_logs',
        'cost_tracking',
        'monthly_cost_summaries',
        'schedules',
        'metric_series',
        'host_samples',
        'host_rollups',
        'execution_resource_samples',
        'app_settings',
      ]),
    );
  });

  it('refuses to start on an invalid environment, naming the variable', async () => {
    await expect(startAppServer({ modelServerUrl: model.url, env: { PORT: 'eighty' } })).rejects.toThrow(
      /exited with 1[\s\S]*Invalid environment[\s\S]*PORT/,
    );
  });

  it('stops the start with a clear message when a migration fails, applying none of it', async () => {
    const dataDir = tempDir();
    const databasePath = path.join(dataDir, 'claudeops.db');
    const db = new Database(databasePath);
    db.exec(
      "create table executions (id integer primary key, note text); insert into executions values (1, 'mine')",
    );
    db.close();

    await expect(startAppServer({ modelServerUrl: model.url, dataDir })).rejects.toThrow(
      /exited with 1[\s\S]*Database migration failed for .*claudeops\.db in migrations\/0000_init\.sql: table `executions` already exists \(SQLITE_ERROR\)/,
    );
    const after = new Database(databasePath, { readonly: true });
    const tables = after.prepare("select name from sqlite_master where type = 'table' order by name").all();
    const applied = after.prepare('select count(*) as n from __drizzle_migrations').get();
    const rows = after.prepare('select * from executions').all();
    after.close();
    // Only drizzle's (empty) bookkeeping table is new; the user's data is untouched.
    expect(tables).toEqual([{ name: '__drizzle_migrations' }, { name: 'executions' }]);
    expect(applied).toEqual({ n: 0 });
    expect(rows).toEqual([{ id: 1, note: 'mine' }]);
  });

  it('names the port in use, and the fix', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const { port } = taken.address() as net.AddressInfo;
    await expect(startAppServer({ modelServerUrl: model.url, env: { PORT: String(port) } })).rejects.toThrow(
      new RegExp(
        `exited with 1[\\s\\S]*Port ${port} on 127\\.0\\.0\\.1 is already in use \\(EADDRINUSE\\).*PORT=${port + 1} npm start`,
      ),
    );
  });

  it.each([
    [
      'a directory where the database file should be',
      (dir: string) => {
        const target = path.join(dir, 'claudeops.db');
        fs.mkdirSync(target);
        return target;
      },
      /Cannot open the database .*claudeops\.db: unable to open database file \(SQLITE_CANTOPEN\)\. Check that .* exists and is writable/,
    ],
    [
      'a file that is not a database',
      (dir: string) => {
        const target = path.join(dir, 'claudeops.db');
        fs.writeFileSync(target, 'not a database, but long enough to have a header of some sort: '.repeat(4));
        return target;
      },
      /Cannot open the database .*claudeops\.db: file is not a database \(SQLITE_NOTADB\)\. .*restore a backup/,
    ],
    [
      'a data directory under a file',
      (dir: string) => {
        fs.writeFileSync(path.join(dir, 'plain-file'), '');
        return path.join(dir, 'plain-file', 'data', 'claudeops.db');
      },
      /Could not start: .*plain-file\/data cannot be used \(ENOTDIR: .*\)\. Make it, and its directory, writable/,
    ],
  ])('names the file when the database is %s, and what to do', async (_what, place, message) => {
    const databasePath = place(tempDir());
    await expect(
      startAppServer({ modelServerUrl: model.url, env: { DATABASE_PATH: databasePath } }),
    ).rejects.toThrow(message);
  });

  it('names a data directory it cannot write (a read-only mount where allowed), and what to do', async () => {
    const dir = unwritableDir();
    onTestFinished(dir.dispose);
    await expect(startAppServer({ modelServerUrl: model.url, dataDir: dir.path })).rejects.toThrow(
      new RegExp(
        `Could not start: ${dir.path}.* cannot be (written|used) \\((EROFS|EACCES|ENOTDIR): .*[Mm]ake it.* writable by the server's user`,
      ),
    );
  });

  it('on SIGTERM before it listens (runs may start by then) shuts down cleanly, not killed mid-start', async () => {
    const child = spawnAppServer({ modelServerUrl: model.url }, tempDir());
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // The backend (engine, scheduler) is up once the storage reserve is in place; Next prepares after.
    await new Promise<void>((resolve) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('storage reserve in place')) resolve();
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('shutting down');
    expect(output).not.toContain('ClaudeOps listening');
  });

  it('without a drain (CLAUDEOPS_DRAIN_SECONDS=0), SIGTERM ends a running agent as cancelled (shutdown), kills its process and exits cleanly', async () => {
    const app = await startAppServer({ modelServerUrl: model.url, env: { CLAUDEOPS_DRAIN_SECONDS: '0' } });
    const api = apiClient(app.url);
    const key = '[script:sigterm]';
    model.script(key, [
      { content: [{ type: 'tool_use', name: 'Bash', input: { command: 'echo started' } }] },
      { kind: 'hang' },
    ]);
    const agent = await api.createAgent({ defaultPrompt: `Work ${key}`, allowedTools: ['Bash'] });
    const id = await api.startExecution(agent.id);
    for (let i = 0; i < 100 && model.remaining(key) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(pidsWithEnv('CLAUDEOPS_INSTANCE', app.databasePath).length).toBeGreaterThan(0);

    expect(await app.stop('SIGTERM')).toBe(0);

    const db = new Database(app.databasePath, { readonly: true });
    const row = db
      .prepare(
        'select status, error_code as errorCode, finished_at as finishedAt from executions where id = ?',
      )
      .get(id);
    const lines = db
      .prepare('select text from execution_logs where execution_id = ? order by seq')
      .all(id) as { text: string }[];
    db.close();
    expect(row).toMatchObject({ status: 'cancelled', errorCode: 'shutdown' });
    expect(lines.map((l) => l.text)).toContain('started');
    expect(pidsWithEnv('CLAUDEOPS_INSTANCE', app.databasePath)).toEqual([]);
  });
});
