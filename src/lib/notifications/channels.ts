import crypto from 'node:crypto';
import { z } from 'zod';
import {
  CHANNEL_SETTING_FIELDS,
  type ChannelDto,
  type ChannelType,
  type CreateChannelInput,
  channelDtoSchema,
  channelFields as f,
  SMTP_DEFAULT_PORTS,
  type UpdateChannelInput,
} from '../contracts/notifications';
import { assertNoIssues, invalidField, notFound } from '../core/errors';
import { execute, transaction } from '../db/plan';
import { listLiveAgentIds } from '../db/queries/agents';
import {
  deleteChannelRow,
  discardUnsent,
  getChannelRow,
  insertChannelRow,
  listChannelRows,
  updateChannelRow,
} from '../db/queries/notificationChannels';
import type { ChannelPublicSettings, NotificationChannel } from '../db/schema';
import type { SecretBox } from '../db/secretBox';
import type { Store } from '../db/store';

/** A channel's full settings, secrets included: only ever held in memory, to send. */
const channelConfigSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('webhook'), url: f.url, secret: z.string().startsWith('whsec_') }),
  z.object({ type: z.literal('slack'), url: f.url }),
  z.object({ type: z.literal('discord'), url: f.url }),
  z.object({ type: z.literal('ntfy'), url: f.url, token: f.token.nullable() }),
  z.object({
    type: z.literal('email'),
    host: f.host,
    port: f.port,
    tls: f.tls,
    user: f.user.nullable(),
    password: f.password.nullable(),
    from: f.from,
    to: f.to,
  }),
]);
export type ChannelConfig = z.infer<typeof channelConfigSchema>;

/** A channel ready to send through: its identity and its opened settings. */
export interface OpenChannel {
  id: number;
  name: string;
  config: ChannelConfig;
}

/** Which settings of each type are secrets: sealed at rest, masked in reads and in the delivery log. */
const SECRET_FIELDS = {
  webhook: ['secret'],
  slack: ['url'],
  discord: ['url'],
  ntfy: ['token'],
  email: ['password'],
} as const satisfies Record<ChannelType, readonly string[]>;

/** A secret as reads show it: the last four characters of long ones, nothing of short ones (passwords). */
export const maskSecret = (value: string): string => (value.length >= 16 ? `••••${value.slice(-4)}` : '••••');

/** A Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64. */
const newWebhookSecret = () => `whsec_${crypto.randomBytes(32).toString('base64')}`;

/** The channel's secret values, for masking them wherever they might surface (error texts, logs). */
export function secretValues(config: ChannelConfig): string[] {
  const values: string[] = [];
  for (const field of SECRET_FIELDS[config.type]) {
    const value = (config as Record<string, unknown>)[field];
    if (typeof value === 'string') values.push(value);
  }
  // An error may quote a Slack or Discord URL without its host: its path is the secret part.
  if (config.type === 'slack' || config.type === 'discord') values.push(new URL(config.url).pathname);
  return values;
}

interface StoredForm {
  settings: ChannelPublicSettings;
  secrets: string;
  secretHints: Record<string, string>;
}

/** Splits a config into what is stored in the clear, the sealed secrets, and their masked hints. */
function toStoredForm(config: ChannelConfig, box: SecretBox): StoredForm {
  const settings: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  const secretHints: Record<string, string> = {};
  const secretFields: readonly string[] = SECRET_FIELDS[config.type];
  for (const [field, value] of Object.entries(config)) {
    if (field === 'type') continue;
    if (!secretFields.includes(field)) settings[field] = value;
    else if (typeof value === 'string') {
      secrets[field] = value;
      secretHints[field] = maskSecret(value);
    }
  }
  return { settings, secrets: box.seal(JSON.stringify(secrets)), secretHints };
}

export function openChannel(row: NotificationChannel, box: SecretBox): OpenChannel {
  const secrets: unknown = JSON.parse(box.open(row.secrets));
  const secretDefaults = { token: null, password: null };
  const config = channelConfigSchema.parse({
    ...secretDefaults,
    ...row.settings,
    ...(secrets as object),
    type: row.type,
  });
  return { id: row.id, name: row.name, config };
}

/**
 * The row as the API shows it. The DTO schema picks each type's fields from the public settings
 * and the masked hints; secrets themselves are never read here.
 */
export function toChannelDto(row: NotificationChannel): ChannelDto {
  const hints = row.secretHints;
  const { url } = row.settings;
  return channelDtoSchema.parse({
    ...row.settings,
    ...(typeof url === 'string' && { url: withoutPassword(url) }),
    ...hints,
    user: row.settings.user ?? null,
    token: hints.token ?? null,
    hasPassword: hints.password !== undefined,
    id: row.id,
    type: row.type,
    name: row.name,
    enabled: row.enabled,
    events: row.events,
    agentIds: row.agentIds,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });
}

/**
 * A URL saved before credentials in URLs were refused shows without its password (its deliveries
 * give up, saying why: see the worker).
 */
function withoutPassword(url: string): string {
  try {
    const { protocol, username, password, host, pathname, search, hash } = new URL(url);
    return password === '' ? url : `${protocol}//${username}:••••@${host}${pathname}${search}${hash}`;
  } catch {
    return url;
  }
}

function configFromInput(input: CreateChannelInput): ChannelConfig {
  switch (input.type) {
    case 'webhook':
      return { type: 'webhook', url: input.url, secret: newWebhookSecret() };
    case 'slack':
    case 'discord':
      return { type: input.type, url: input.url };
    case 'ntfy':
      return { type: 'ntfy', url: input.url, token: input.token ?? null };
    case 'email': {
      const tls = input.tls ?? 'starttls';
      return {
        type: 'email',
        host: input.host,
        port: input.port ?? SMTP_DEFAULT_PORTS[tls],
        tls,
        user: input.user ?? null,
        password: input.password ?? null,
        from: input.from,
        to: input.to,
      };
    }
  }
}

/** The answer to creating a channel, or rotating a webhook's secret: the secret is shown this once. */
export interface ChannelWithSecret {
  channel: ChannelDto;
  secret?: string;
}

const secretOnce = (config: ChannelConfig, show: boolean): { secret?: string } =>
  show && config.type === 'webhook' ? { secret: config.secret } : {};

export async function listChannels(store: Store): Promise<ChannelDto[]> {
  return (await execute(store, listChannelRows(store))).map(toChannelDto);
}

export async function getChannel(store: Store, id: number): Promise<ChannelDto> {
  const row = await execute(store, getChannelRow(store, id));
  if (!row) throw notFound('Notification channel');
  return toChannelDto(row);
}

export async function createChannel(
  store: Store,
  box: SecretBox,
  input: CreateChannelInput,
  now = Date.now(),
): Promise<ChannelWithSecret> {
  const config = configFromInput(input);
  const row = await execute(
    store,
    insertChannelRow(store, {
      type: input.type,
      name: input.name,
      enabled: input.enabled ?? true,
      events: input.events,
      agentIds: input.agentIds ?? null,
      ...toStoredForm(config, box),
      createdAt: now,
      updatedAt: now,
    }),
  );
  return { channel: toChannelDto(row), ...secretOnce(config, true) };
}

const COMMON_FIELDS = ['name', 'enabled', 'events', 'agentIds', 'rotateSecret'];

/** Settings in a patch must be the channel type's own; a wrong one is an error naming it. */
function checkFieldsBelongTo(type: ChannelType, patch: UpdateChannelInput): void {
  const allowed: readonly string[] = [...COMMON_FIELDS, ...CHANNEL_SETTING_FIELDS[type]];
  const stray = Object.keys(patch).find((field) => !allowed.includes(field));
  if (stray !== undefined) throw invalidField(stray, `Not a setting of a ${type} channel`);
  if (patch.rotateSecret && type !== 'webhook')
    throw invalidField('rotateSecret', 'Only webhook channels have a signing secret');
}

function patchedConfig(config: ChannelConfig, patch: UpdateChannelInput): ChannelConfig {
  const { name: _n, enabled: _e, events: _v, agentIds: _a, rotateSecret, ...settings } = patch;
  const next = channelConfigSchema.parse({
    ...config,
    ...settings,
    ...(rotateSecret && { secret: newWebhookSecret() }),
  });
  if (next.type === 'email' && next.password !== null && next.user === null)
    throw invalidField('password', 'A password needs a user');
  return next;
}

/** Changes a channel. Disabling it drops what it had not sent yet, in the same transaction. */
export async function updateChannel(
  store: Store,
  box: SecretBox,
  id: number,
  patch: UpdateChannelInput,
  now = Date.now(),
): Promise<ChannelWithSecret> {
  const row = await execute(store, getChannelRow(store, id));
  if (!row) throw notFound('Notification channel');
  checkFieldsBelongTo(row.type, patch);
  const config = patchedConfig(openChannel(row, box).config, patch);
  const updated = await transaction(store, function* (tx) {
    if (patch.enabled === false) yield* discardUnsent(tx, id);
    return yield* updateChannelRow(tx, id, {
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.enabled !== undefined && { enabled: patch.enabled }),
      ...(patch.events !== undefined && { events: patch.events }),
      ...(patch.agentIds !== undefined && { agentIds: patch.agentIds }),
      ...toStoredForm(config, box),
      updatedAt: now,
    });
  });
  if (!updated) throw notFound('Notification channel');
  return { channel: toChannelDto(updated), ...secretOnce(config, patch.rotateSecret === true) };
}

/** A channel limited to agents must name existing ones; each unknown id is an issue at its place in the list. */
export async function assertAgentsExist(
  store: Store,
  agentIds: readonly number[] | null | undefined,
): Promise<void> {
  if (!agentIds) return;
  const live = await execute(store, listLiveAgentIds(store));
  assertNoIssues(
    agentIds.flatMap((agentId, index) =>
      live.has(agentId) ? [] : [{ path: `agentIds.${index}`, message: `No agent with id ${agentId}` }],
    ),
  );
}

export async function deleteChannel(store: Store, id: number): Promise<void> {
  if (!(await execute(store, deleteChannelRow(store, id)))) throw notFound('Notification channel');
}
