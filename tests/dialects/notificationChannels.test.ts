import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createChannelSchema } from '../../src/lib/contracts/notifications';
import { isDomainError } from '../../src/lib/core/errors';
import { execute, rowsOf } from '../../src/lib/db/plan';
import type { Store } from '../../src/lib/db/store';
import {
  createChannel,
  deleteChannel,
  getChannel,
  listChannels,
  updateChannel,
} from '../../src/lib/notifications/channels';
import { newBox } from '../helpers/notifications';
import { describeOnEachDialect } from '../helpers/stores';

// The channel service (create, read, change, delete) on both dialects; the sealing key file, the
// SQLite file's bytes and the producers' side stay in tests/unit/notificationChannels.test.ts.

const box = newBox();
const common = { name: 'ops', events: ['run.failed'] };
const T = Date.parse('2026-11-20T12:00:00.000Z');

/** An event queued for `channelId` in each outbox state. */
async function queueOneOfEach({ db, t }: Store, channelId: number): Promise<void> {
  const states = ['pending', 'folded', 'sending', 'delivered', 'gave_up'] as const;
  for (const [index, status] of states.entries()) {
    const eventId = `evt_${channelId}_${status}`;
    await db
      .insert(t.notificationEvents)
      .values({ id: eventId, type: 'run.failed', occurredAt: T, data: {} });
    await db.insert(t.notificationOutbox).values({
      eventId,
      channelId,
      status,
      attempts: 0,
      nextAttemptAt: T + index,
      createdAt: T,
      updatedAt: T,
    });
  }
}

describeOnEachDialect('notification channels', (store) => {
  const create = (input: unknown) => createChannel(store(), box, createChannelSchema.parse(input));

  it('gives a webhook a whsec_ secret once, and reads show it masked', async () => {
    const { channel, secret } = await create({
      ...common,
      type: 'webhook',
      url: 'https://hooks.example.invalid/hook',
    });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const read = await getChannel(store(), channel.id);
    expect(read).toMatchObject({
      type: 'webhook',
      url: 'https://hooks.example.invalid/hook',
      enabled: true,
      agentIds: null,
    });
    expect(read.type === 'webhook' && read.secret).toBe(`••••${secret?.slice(-4)}`);
    expect(JSON.stringify(await listChannels(store()))).not.toContain(secret?.slice(6));
  });

  it('never returns secrets from reads: Slack and Discord URLs, ntfy token, SMTP password', async () => {
    const slackUrl = 'https://hooks.slack.invalid/services/T000/B000/XXXXXXXXXXXXXXXXXXXXdcba';
    const token = 'tk_0123456789abcdefghijklmnop';
    const password = 'correct horse battery staple';
    await create({ ...common, type: 'slack', url: slackUrl });
    await create({ ...common, type: 'ntfy', url: 'https://ntfy.invalid/ops', token });
    const email = await create({
      ...common,
      type: 'email',
      host: 'smtp.example.com',
      user: 'ops',
      password,
      from: 'ops@example.com',
      to: ['me@example.com'],
    });
    const reads = JSON.stringify(await listChannels(store()));
    for (const secret of [slackUrl, 'XXXXXXXXXXXXXXXXXXXXdcba', token, password])
      expect(reads).not.toContain(secret);
    expect(reads).toContain('"url":"••••dcba"');
    expect(reads).toContain('"token":"••••mnop"');
    expect(email.channel).toMatchObject({
      type: 'email',
      port: 587,
      tls: 'starttls',
      user: 'ops',
      hasPassword: true,
    });
    expect(email.secret).toBeUndefined();
  });

  it('changes settings of the channel type, rotates a webhook secret, and refuses another type’s setting', async () => {
    const { channel, secret } = await create({
      ...common,
      type: 'webhook',
      url: 'https://hooks.example.invalid/hook',
    });
    const renamed = await updateChannel(store(), box, channel.id, {
      name: 'renamed',
      url: 'https://hooks.example.invalid/v2',
    });
    expect(renamed.channel).toMatchObject({ name: 'renamed', url: 'https://hooks.example.invalid/v2' });
    expect(renamed.secret).toBeUndefined();
    const rotated = await updateChannel(store(), box, channel.id, { rotateSecret: true });
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(secret);

    const refused = await updateChannel(store(), box, channel.id, { host: 'smtp.example.com' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isDomainError(refused) && refused.issue).toEqual({
      path: 'host',
      message: 'Not a setting of a webhook channel',
    });
  });

  it('removes an ntfy token with null, and refuses an SMTP password once the user is gone', async () => {
    const ntfy = await create({
      ...common,
      type: 'ntfy',
      url: 'https://ntfy.invalid/x',
      token: 'tk_abcdefghijklmnop',
    });
    expect((await updateChannel(store(), box, ntfy.channel.id, { token: null })).channel).toMatchObject({
      token: null,
    });
    const email = await create({
      ...common,
      type: 'email',
      host: 'h.example',
      user: 'u',
      password: 'p',
      from: 'a@example.com',
      to: ['b@example.com'],
    });
    await expect(updateChannel(store(), box, email.channel.id, { user: null })).rejects.toThrow(
      /password needs a user/,
    );
  });

  it('deletes a channel, and a missing one is not found', async () => {
    const { channel } = await create({
      ...common,
      type: 'discord',
      url: 'https://discord.invalid/api/webhooks/1/x',
    });
    const listedIds = async () => (await listChannels(store())).map(({ id }) => id);
    const others = (await listedIds()).filter((id) => id !== channel.id);
    await deleteChannel(store(), channel.id);
    // The suite's store holds the channels of the tests before: they stay.
    expect(await listedIds()).toEqual(others);
    await expect(deleteChannel(store(), channel.id)).rejects.toThrow(/not found/);
    await expect(getChannel(store(), channel.id)).rejects.toThrow(/not found/);
  });

  it('stores no secret in plaintext: the rows hold them sealed', async () => {
    const password = 'pw-4f9a1c7e2b-smtp';
    const { secret } = await create({
      ...common,
      type: 'webhook',
      url: 'https://hooks.example.invalid/hook',
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
    const { db, t } = store();
    const rows = JSON.stringify(await execute(store(), rowsOf(db.select().from(t.notificationChannels))));
    expect(rows).toContain('smtp.example.com');
    for (const value of [secret ?? 'missing', password]) expect(rows).not.toContain(value);
  });

  it('drops what a disabled channel had not sent, in the transaction that disables it, and keeps the rest', async () => {
    const { channel } = await create({
      ...common,
      type: 'slack',
      url: 'https://hooks.slack.invalid/services/T/B/x',
    });
    const { channel: other } = await create({
      ...common,
      type: 'slack',
      url: 'https://hooks.slack.invalid/services/T/B/y',
    });
    await queueOneOfEach(store(), channel.id);
    await queueOneOfEach(store(), other.id);
    const { db, t } = store();
    const statuses = async (channelId: number) =>
      (
        await execute(
          store(),
          rowsOf(
            db
              .select({ status: t.notificationOutbox.status })
              .from(t.notificationOutbox)
              .where(eq(t.notificationOutbox.channelId, channelId))
              .orderBy(t.notificationOutbox.id),
          ),
        )
      ).map((row) => row.status);

    // A change that fails (another type's setting) drops nothing.
    await expect(updateChannel(store(), box, channel.id, { host: 'smtp.example.com' })).rejects.toThrow();
    expect(await statuses(channel.id)).toEqual(['pending', 'folded', 'sending', 'delivered', 'gave_up']);

    const disabled = await updateChannel(store(), box, channel.id, { enabled: false });
    expect(disabled.channel.enabled).toBe(false);
    expect(await statuses(channel.id)).toEqual(['sending', 'delivered', 'gave_up']);
    expect(await statuses(other.id)).toEqual(['pending', 'folded', 'sending', 'delivered', 'gave_up']);
  });
});
