import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issuesFromZod } from '../../src/lib/contracts/errors';
import { createChannelSchema, updateChannelSchema } from '../../src/lib/contracts/notifications';
import type { DbHandle } from '../../src/lib/db';
import { runOnSqlite, transactionOnSqlite } from '../../src/lib/db/plan';
import { getChannelRow } from '../../src/lib/db/queries/notificationChannels';
import { loadSecretBox } from '../../src/lib/db/secretBox';
import { sqliteStore } from '../../src/lib/db/store';
import { createChannel, openChannel, updateChannel } from '../../src/lib/notifications/channels';
import { recordEventIn } from '../../src/lib/notifications/events';
import { newBox, queuedTypes, runFailed } from '../helpers/notifications';
import { createTestDb } from '../helpers/testDb';

let handle: DbHandle;
const box = newBox();

beforeEach(() => {
  handle = createTestDb();
});
afterEach(() => handle.sqlite.close());

const common = { name: 'ops', events: ['run.failed'] };

describe('channel settings validation', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['an invalid URL', { ...common, type: 'slack', url: 'not a url' }, 'url', /http/],
    ['a URL that is not http(s)', { ...common, type: 'webhook', url: 'ftp://example.com/x' }, 'url', /http/],
    ['a javascript: URL', { ...common, type: 'discord', url: 'javascript:alert(1)' }, 'url', /http/],
    [
      'an unknown event',
      { ...common, type: 'slack', url: 'https://h.example/x', events: ['run.failed', 'run.exploded'] },
      'events.1',
      /Unknown event "run.exploded"/,
    ],
    [
      'no events',
      { ...common, type: 'slack', url: 'https://h.example/x', events: [] },
      'events',
      /at least one/,
    ],
    [
      'a repeated event',
      { ...common, type: 'slack', url: 'https://h.example/x', events: ['run.failed', 'run.failed'] },
      'events',
      /once/,
    ],
    [
      'a port above 65535',
      {
        ...common,
        type: 'email',
        host: 'smtp.example.com',
        port: 70_000,
        from: 'a@example.com',
        to: ['b@example.com'],
      },
      'port',
      /65535/,
    ],
    [
      'a port of 0',
      {
        ...common,
        type: 'email',
        host: 'smtp.example.com',
        port: 0,
        from: 'a@example.com',
        to: ['b@example.com'],
      },
      'port',
      /1 to 65535/,
    ],
    [
      'an unknown TLS mode',
      {
        ...common,
        type: 'email',
        host: 'smtp.example.com',
        tls: 'ssl3',
        from: 'a@example.com',
        to: ['b@example.com'],
      },
      'tls',
      /starttls/,
    ],
    [
      'a bad recipient',
      { ...common, type: 'email', host: 'smtp.example.com', from: 'a@example.com', to: ['nobody'] },
      'to.0',
      /email/,
    ],
    [
      'a password without a user',
      {
        ...common,
        type: 'email',
        host: 'smtp.example.com',
        password: 'pw',
        from: 'a@example.com',
        to: ['b@example.com'],
      },
      'password',
      /needs a user/,
    ],
    ['an unknown type', { ...common, type: 'pager', url: 'https://h.example/x' }, 'type', /webhook/],
    [
      'a setting of another type',
      { ...common, type: 'slack', url: 'https://h.example/x', host: 'smtp.example.com' },
      '(root)',
      /host/,
    ],
    [
      'an empty name',
      { ...common, name: ' ', type: 'slack', url: 'https://h.example/x' },
      'name',
      /required/,
    ],
  ];

  it.each(cases)('refuses %s, naming the field', (_label, input, field, message) => {
    const result = createChannelSchema.safeParse(input);
    expect(result.success).toBe(false);
    const issues = result.success ? [] : issuesFromZod(result.error);
    expect(issues).toContainEqual({ path: field, message: expect.stringMatching(message) });
  });

  it('accepts each type with its own settings', () => {
    const inputs = [
      { ...common, type: 'webhook', url: 'http://127.0.0.1:9000/hook' },
      { ...common, type: 'slack', url: 'https://hooks.slack.invalid/services/T0/B0/abc' },
      { ...common, type: 'discord', url: 'https://discord.invalid/api/webhooks/1/abc' },
      { ...common, type: 'ntfy', url: 'https://ntfy.invalid/ops', token: 'tk_abc' },
      { ...common, type: 'email', host: 'smtp.example.com', from: 'a@example.com', to: ['b@example.com'] },
    ];
    for (const input of inputs) expect(createChannelSchema.safeParse(input).success).toBe(true);
  });

  it('refuses an empty change and an unknown field', () => {
    expect(updateChannelSchema.safeParse({}).success).toBe(false);
    expect(updateChannelSchema.safeParse({ colour: 'red' }).success).toBe(false);
  });
});

// The service's reads and changes run on both dialects in tests/dialects/notificationChannels.test.ts.
describe('channels on a SQLite file', () => {
  const create = (input: unknown) =>
    createChannel(sqliteStore(handle.db), box, createChannelSchema.parse(input));

  it('keeps secrets sealed at rest: the database file never holds them in plaintext', async () => {
    const password = 'pw-4f9a1c7e2b-smtp';
    const { secret } = await create({
      ...common,
      type: 'webhook',
      url: 'https://hooks.example.invalid/hook',
    });
    await create({
      ...common,
      type: 'slack',
      url: 'https://hooks.slack.invalid/services/T1/B1/sealedsealedsealed',
    });
    await create({
      ...common,
      type: 'email',
      host: 'smtp.example.com',
      user: 'u',
      password,
      from: 'a@example.com',
      to: ['b@example.com'],
    });
    handle.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const files = [handle.path, `${handle.path}-wal`].filter((file) => fs.existsSync(file));
    const bytes = Buffer.concat(files.map((file) => fs.readFileSync(file))).toString('latin1');
    expect(bytes).toContain('smtp.example.com');
    for (const value of [secret ?? 'missing', 'sealedsealedsealed', password])
      expect(bytes).not.toContain(value);
  });

  it('opens what it sealed, with the key from a 0600 file in the data dir', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-keys-'));
    const fileBox = loadSecretBox(dataDir);
    const { channel } = await createChannel(
      sqliteStore(handle.db),
      fileBox,
      createChannelSchema.parse({
        ...common,
        type: 'ntfy',
        url: 'https://ntfy.invalid/x',
        token: 'tk_secret_value_1234',
      }),
    );
    expect(fs.statSync(path.join(dataDir, 'secrets.key')).mode & 0o777).toBe(0o600);
    const row = runOnSqlite(getChannelRow(sqliteStore(handle.db), channel.id));
    expect(row && openChannel(row, loadSecretBox(dataDir)).config).toEqual({
      type: 'ntfy',
      url: 'https://ntfy.invalid/x',
      token: 'tk_secret_value_1234',
    });
    expect(() => row && openChannel(row, newBox())).toThrow();
  });

  it('drops what a channel had not sent when it is disabled', async () => {
    const { channel } = await create({
      ...common,
      type: 'slack',
      url: 'https://hooks.slack.invalid/services/T/B/x',
    });
    transactionOnSqlite(handle.db, (tx) => recordEventIn(tx, runFailed()));
    expect(queuedTypes(handle.db, channel.id)).toEqual(['run.failed']);
    await updateChannel(sqliteStore(handle.db), box, channel.id, { enabled: false });
    expect(queuedTypes(handle.db, channel.id)).toEqual([]);
    transactionOnSqlite(handle.db, (tx) => recordEventIn(tx, runFailed()));
    expect(queuedTypes(handle.db, channel.id)).toEqual([]);
  });
});
