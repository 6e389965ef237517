import { boolean, index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import type { ChannelType, DeliveryStatus, NotificationEventType } from '../../contracts/notifications';
import type { ChannelPublicSettings, OutboxStatus } from '../schema/notifications';
import { int64, rowId } from './columns';

/** ../schema/notifications.ts in Postgres. Secrets stay sealed in `secrets`, as there. */
export const notificationChannels = pgTable(
  'notification_channels',
  {
    id: rowId('id'),
    type: text('type').$type<ChannelType>().notNull(),
    name: text('name').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    events: jsonb('events').$type<NotificationEventType[]>().notNull(),
    agentIds: jsonb('agent_ids').$type<number[] | null>(),
    settings: jsonb('settings').$type<ChannelPublicSettings>().notNull(),
    secrets: text('secrets').notNull(),
    secretHints: jsonb('secret_hints').$type<Record<string, string>>().notNull(),
    createdAt: int64('created_at').notNull(),
    updatedAt: int64('updated_at').notNull(),
  },
  (t) => [index('notification_channels_by_name').on(t.name)],
);

export const notificationEvents = pgTable('notification_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  occurredAt: int64('occurred_at').notNull(),
  data: jsonb('data').$type<Record<string, unknown>>().notNull(),
});

export const notificationOutbox = pgTable(
  'notification_outbox',
  {
    id: rowId('id'),
    eventId: text('event_id')
      .notNull()
      .references(() => notificationEvents.id, { onDelete: 'cascade' }),
    channelId: int64('channel_id')
      .notNull()
      .references(() => notificationChannels.id, { onDelete: 'cascade' }),
    status: text('status').$type<OutboxStatus>().notNull(),
    attempts: int64('attempts').notNull().default(0),
    nextAttemptAt: int64('next_attempt_at').notNull(),
    leaseUntil: int64('lease_until'),
    firstAttemptAt: int64('first_attempt_at'),
    summaryEventId: text('summary_event_id'),
    createdAt: int64('created_at').notNull(),
    updatedAt: int64('updated_at').notNull(),
  },
  (t) => [
    index('notification_outbox_due').on(t.status, t.nextAttemptAt),
    index('notification_outbox_by_channel_status').on(t.channelId, t.status),
    index('notification_outbox_rate_window').on(t.channelId, t.firstAttemptAt),
  ],
);

export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: rowId('id'),
    channelId: int64('channel_id')
      .notNull()
      .references(() => notificationChannels.id, { onDelete: 'cascade' }),
    outboxId: int64('outbox_id').references(() => notificationOutbox.id, { onDelete: 'set null' }),
    eventId: text('event_id').notNull(),
    eventType: text('event_type').notNull(),
    attempt: int64('attempt').notNull(),
    status: text('status').$type<DeliveryStatus>().notNull(),
    responseCode: int64('response_code'),
    error: text('error'),
    durationMs: int64('duration_ms').notNull(),
    createdAt: int64('created_at').notNull(),
  },
  (t) => [
    index('notification_deliveries_by_channel').on(t.channelId, t.id),
    index('notification_deliveries_by_status').on(t.status, t.id),
  ],
);

export const notificationConditions = pgTable('notification_conditions', {
  key: text('key').primaryKey(),
  active: boolean('active').notNull(),
  since: int64('since').notNull(),
  lastNotifiedAt: int64('last_notified_at'),
  updatedAt: int64('updated_at').notNull(),
});
