import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type {
  ChannelType,
  DeliveryStatus,
  NotificationEventType,
  SmtpTlsMode,
} from '../../contracts/notifications';

/** A channel's settings that are not secret (URLs of webhooks and ntfy topics, the SMTP fields). */
export interface ChannelPublicSettings {
  url?: string;
  host?: string;
  port?: number;
  tls?: SmtpTlsMode;
  user?: string | null;
  from?: string;
  to?: string[];
}

/** Where notifications go. Secrets are sealed (AES-256-GCM, key outside the database) in `secrets`. */
export const notificationChannels = sqliteTable(
  'notification_channels',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    type: text('type').$type<ChannelType>().notNull(),
    name: text('name').notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    events: text('events', { mode: 'json' }).$type<NotificationEventType[]>().notNull(),
    /** Only events about these agents; null for all. */
    agentIds: text('agent_ids', { mode: 'json' }).$type<number[] | null>(),
    settings: text('settings', { mode: 'json' }).$type<ChannelPublicSettings>().notNull(),
    /** The sealed JSON of the type's secrets (webhook secret, Slack/Discord URL, ntfy token, SMTP password). */
    secrets: text('secrets').notNull(),
    /** The masked form of each secret ("••••a1b2"), so reads never need the key. */
    secretHints: text('secret_hints', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('notification_channels_by_name').on(t.name)],
);

export type NotificationChannel = typeof notificationChannels.$inferSelect;
export type NewNotificationChannel = typeof notificationChannels.$inferInsert;

/**
 * Every message that was queued for at least one channel: a catalogue event, a rate-limit summary.
 * Its id is the `webhook-id` and the body's `id`, the same on every retry.
 */
export const notificationEvents = sqliteTable('notification_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  occurredAt: integer('occurred_at').notNull(),
  data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
});

export type NotificationEventRow = typeof notificationEvents.$inferSelect;

/**
 * pending → sending (claimed, with a lease) → delivered | pending (retry) | gave_up. A row over its
 * channel's rate limit becomes `folded`, then `summarized` once a summary carries it.
 */
export const OUTBOX_STATUSES = [
  'pending',
  'sending',
  'delivered',
  'gave_up',
  'folded',
  'summarized',
] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** One row per event per matching channel, written in the transaction of the change that caused the event. */
export const notificationOutbox = sqliteTable(
  'notification_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    eventId: text('event_id')
      .notNull()
      .references(() => notificationEvents.id, { onDelete: 'cascade' }),
    channelId: integer('channel_id')
      .notNull()
      .references(() => notificationChannels.id, { onDelete: 'cascade' }),
    status: text('status').$type<OutboxStatus>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    /**
     * While `sending`: past this, the claim is considered lost (a crashed worker) and the row is
     * due again.
     */
    leaseUntil: integer('lease_until'),
    /** When the first attempt started: what the channel's rate limit counts. */
    firstAttemptAt: integer('first_attempt_at'),
    /** For `summarized` rows: the summary event that carried them. */
    summaryEventId: text('summary_event_id'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('notification_outbox_due').on(t.status, t.nextAttemptAt),
    index('notification_outbox_by_channel_status').on(t.channelId, t.status),
    index('notification_outbox_rate_window').on(t.channelId, t.firstAttemptAt),
  ],
);

export type NotificationOutboxRow = typeof notificationOutbox.$inferSelect;

/** The delivery log: one row per attempt, test messages included. Errors are stored with secrets masked. */
export const notificationDeliveries = sqliteTable(
  'notification_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    channelId: integer('channel_id')
      .notNull()
      .references(() => notificationChannels.id, { onDelete: 'cascade' }),
    /** Null for a test message, which has no outbox row. */
    outboxId: integer('outbox_id').references(() => notificationOutbox.id, { onDelete: 'set null' }),
    eventId: text('event_id').notNull(),
    eventType: text('event_type').notNull(),
    attempt: integer('attempt').notNull(),
    status: text('status').$type<DeliveryStatus>().notNull(),
    responseCode: integer('response_code'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    index('notification_deliveries_by_channel').on(t.channelId, t.id),
    index('notification_deliveries_by_status').on(t.status, t.id),
  ],
);

export type NotificationDelivery = typeof notificationDeliveries.$inferSelect;
export type NewNotificationDelivery = typeof notificationDeliveries.$inferInsert;

/**
 * Conditions that notify once, not on every reading: `active` once announced, `since` when the
 * breach began (a load must hold for minutes before it is announced), `lastNotifiedAt` for the
 * quiet period.
 */
export const notificationConditions = sqliteTable('notification_conditions', {
  key: text('key').primaryKey(),
  active: integer('active', { mode: 'boolean' }).notNull(),
  since: integer('since').notNull(),
  lastNotifiedAt: integer('last_notified_at'),
  updatedAt: integer('updated_at').notNull(),
});

export type NotificationCondition = typeof notificationConditions.$inferSelect;
