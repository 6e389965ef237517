import { z } from 'zod';
import { BUDGET_KINDS } from './costs';
import { EXECUTION_TRIGGERS } from './executions';
import { hostNameSchema } from './metrics';
import { singleLine } from './text';

/**
 * The notification catalogue: the events producers record, each with the data a message needs
 * (what happened, to what, the figures, and the page's path), and the channels that carry them.
 * Shared by the API, the pages and the delivery worker.
 */

export const NOTIFICATION_EVENT_TYPES = [
  'run.failed',
  'run.timeout',
  'run.budget_exceeded',
  'run.interrupted',
  'budget.warning',
  'budget.exhausted',
  'schedule.refused',
  'schedule.missed',
  'health.warning',
  'health.critical',
  'circuit.opened',
  'circuit.closed',
  'host.disk',
  'host.memory',
  'host.load',
  'approval.requested',
  'approval.expired',
  'storage.low',
  'storage.failing',
] as const;
export type NotificationEventType = (typeof NOTIFICATION_EVENT_TYPES)[number];

/** Messages the delivery sends on its own account; channels cannot subscribe to them. */
export const SUMMARY_MESSAGE_TYPE = 'notification.summary';
export const TEST_MESSAGE_TYPE = 'notification.test';

/** The page that lists channels and the delivery log; summaries and test messages link to it. */
export const NOTIFICATIONS_PAGE_PATH = '/notifications';

/** A condition event says whether the condition now holds (`firing`) or has cleared (`resolved`). */
export const CONDITION_STATES = ['firing', 'resolved'] as const;

const id = z.number().int().positive();
const name = z.string().min(1).max(200);
const epochMs = z.number().int().nonnegative();
const usd = z.number().nonnegative();
const percent = z.number().min(0).max(100);
const state = z.enum(CONDITION_STATES);
/** The page about it on this server, e.g. '/executions/42'; messages link to the public URL plus this. */
const pagePath = z
  .string()
  .max(500)
  .regex(/^\/\S*$/, 'A path on this server, starting with /');
/**
 * Free text from elsewhere (error messages, report summaries) is shortened, never refused: a long
 * message must not stop the state change that records it.
 */
const clipped = (max: number) =>
  z.string().transform((value) => (value.length > max ? `${value.slice(0, max - 1)}…` : value));

const runFields = {
  executionId: id,
  agentId: id,
  agentName: name,
  trigger: z.enum(EXECUTION_TRIGGERS),
  scheduleId: id.nullable().optional(),
  workflowId: id.nullable().optional(),
  workflowName: name.nullable().optional(),
  /** Attempts the run made (whole-run retries included). */
  attempts: z.number().int().min(1),
  durationMs: z.number().int().nonnegative().nullable(),
  costUsd: usd,
  errorCode: z.string().max(100).nullable(),
  errorMessage: clipped(2_000).nullable(),
  path: pagePath,
};

const runFailedData = z.object(runFields);
const runTimeoutData = z.object({ ...runFields, timeoutSeconds: z.number().int().positive() });
const runBudgetExceededData = z.object({
  ...runFields,
  budget: z.enum(BUDGET_KINDS),
  limitUsd: usd,
  /** The spend the limit counts (the run's, or the month's) when the run was stopped. */
  spentUsd: usd,
});
const runInterruptedData = z.object({ ...runFields, reason: clipped(500) });

const budgetData = z.object({
  scope: z.enum(['global', 'agent', 'workflow']),
  agentId: id.nullable().optional(),
  agentName: name.nullable().optional(),
  workflowId: id.nullable().optional(),
  workflowName: name.nullable().optional(),
  /** The UTC month the budget is for: '2026-11'. */
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'A UTC month, e.g. 2026-11'),
  spentUsd: usd,
  budgetUsd: z.number().positive(),
  state,
  path: pagePath,
});

const scheduleFields = {
  scheduleId: id,
  /** The schedule's target: an agent, or a workflow. */
  agentId: id.nullable().optional(),
  agentName: name.nullable().optional(),
  workflowId: id.nullable().optional(),
  workflowName: name.nullable().optional(),
  cronExpression: z.string().max(200).optional(),
  /** The slot this is about. */
  scheduledFor: epochMs,
  path: pagePath,
};
const scheduleRefusedData = z.object({
  ...scheduleFields,
  outcome: z.enum(['refused_budget', 'refused_breaker', 'refused_invalid']),
  reason: clipped(1_000),
});
const scheduleMissedData = z.object({
  ...scheduleFields,
  /** Slots missed in a row (the server was down); `scheduledFor` is the latest. */
  missedSlots: z.number().int().min(1),
  reason: clipped(1_000).optional(),
});

const HEALTH_SEVERITIES = ['info', 'warning', 'critical'] as const;
const healthData = z.object({
  agentId: id,
  agentName: name,
  executionId: id,
  status: z.enum(['ok', 'warning', 'critical']),
  summary: clipped(2_000),
  findings: z
    .array(z.object({ area: clipped(100), severity: z.enum(HEALTH_SEVERITIES), message: clipped(1_000) }))
    .transform((findings) => findings.slice(0, 20)),
  state,
  path: pagePath,
});

const circuitOpenedData = z.object({
  consecutiveFailures: z.number().int().nonnegative(),
  threshold: z.number().int().positive(),
  cooldownSeconds: z.number().int().positive(),
  /** The failure class that opened it, e.g. 'overloaded'. */
  lastFailure: z.string().max(200).nullable(),
  path: pagePath,
});
const circuitClosedData = z.object({
  /** When it opened, so the message can say for how long. */
  openedAt: epochMs.nullable(),
  path: pagePath,
});

const hostFields = {
  /**
   * The machine, as its metrics are filed (each sampling process checks its own). Absent only in
   * events recorded before hosts were named, which were all the dashboard's machine.
   */
  host: hostNameSchema.optional(),
  since: epochMs,
  state,
  path: pagePath,
};
const hostDiskData = z.object({
  mount: z.string().min(1).max(500),
  usedPercent: percent,
  thresholdPercent: percent,
  ...hostFields,
});
const hostMemoryData = z.object({ availablePercent: percent, thresholdPercent: percent, ...hostFields });
const hostLoadData = z.object({
  load1: z.number().nonnegative(),
  cores: z.number().int().positive(),
  /** The 1-minute load above which the machine counts as overloaded (per-core threshold × cores). */
  thresholdLoad: z.number().nonnegative(),
  sustainedMinutes: z.number().int().nonnegative(),
  ...hostFields,
});

/**
 * A tool call waiting for a person. `inputHash` and `expiresAt` are what the delivery signs the
 * message's approve/deny links with (the links themselves are made at sending, never stored).
 */
const approvalData = z.object({
  approvalId: id,
  executionId: id,
  agentId: id,
  agentName: name,
  toolName: z.string().min(1).max(200),
  /** The call's input in words, shortened. */
  input: clipped(1_000),
  inputHash: z.string().regex(/^[0-9a-f]{64}$/),
  reason: clipped(500).nullable(),
  requestedAt: epochMs,
  expiresAt: epochMs,
  onTimeout: z.enum(['deny', 'fail']),
  path: pagePath,
});
const storageFields = { dataDir: z.string().min(1).max(4_096), since: epochMs, state, path: pagePath };
/** The data directory's free space fell below the floor: new runs are refused. */
const storageLowData = z.object({
  freeBytes: z.number().nonnegative(),
  floorBytes: z.number().nonnegative(),
  totalBytes: z.number().nonnegative(),
  ...storageFields,
});
/** Writes to the data directory fail (full, read-only, I/O error): runs are stopped and refused. */
const storageFailingData = z.object({ code: z.string().max(100), reason: clipped(1_000), ...storageFields });

/** Each event type's data; `satisfies` keeps the catalogue and the schemas from drifting apart. */
export const EVENT_DATA_SCHEMAS = {
  'run.failed': runFailedData,
  'run.timeout': runTimeoutData,
  'run.budget_exceeded': runBudgetExceededData,
  'run.interrupted': runInterruptedData,
  'budget.warning': budgetData,
  'budget.exhausted': budgetData,
  'schedule.refused': scheduleRefusedData,
  'schedule.missed': scheduleMissedData,
  'health.warning': healthData,
  'health.critical': healthData,
  'circuit.opened': circuitOpenedData,
  'circuit.closed': circuitClosedData,
  'host.disk': hostDiskData,
  'host.memory': hostMemoryData,
  'host.load': hostLoadData,
  'approval.requested': approvalData,
  'approval.expired': approvalData,
  'storage.low': storageLowData,
  'storage.failing': storageFailingData,
} satisfies Record<NotificationEventType, z.ZodType>;

const event = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.object({ type: z.literal(type), data });
const d = EVENT_DATA_SCHEMAS;

/** What a producer records: `{ type, data }`. */
export const notificationEventSchema = z.discriminatedUnion('type', [
  event('run.failed', d['run.failed']),
  event('run.timeout', d['run.timeout']),
  event('run.budget_exceeded', d['run.budget_exceeded']),
  event('run.interrupted', d['run.interrupted']),
  event('budget.warning', d['budget.warning']),
  event('budget.exhausted', d['budget.exhausted']),
  event('schedule.refused', d['schedule.refused']),
  event('schedule.missed', d['schedule.missed']),
  event('health.warning', d['health.warning']),
  event('health.critical', d['health.critical']),
  event('circuit.opened', d['circuit.opened']),
  event('circuit.closed', d['circuit.closed']),
  event('host.disk', d['host.disk']),
  event('host.memory', d['host.memory']),
  event('host.load', d['host.load']),
  event('approval.requested', d['approval.requested']),
  event('approval.expired', d['approval.expired']),
  event('storage.low', d['storage.low']),
  event('storage.failing', d['storage.failing']),
]);
export type NotificationEventInput = z.input<typeof notificationEventSchema>;
export type NotificationEvent = z.output<typeof notificationEventSchema>;

/** "7 more notifications: 5 run.failed, 2 schedule.missed": what a channel's rate limit held back. */
export const summaryDataSchema = z.object({
  count: z.number().int().positive(),
  byType: z.record(z.string(), z.number().int().positive()),
  /** When the first and last of them happened. */
  firstAt: epochMs,
  lastAt: epochMs,
  /** The first few of them in words. */
  titles: z.array(z.string()),
  path: pagePath,
});
export const testDataSchema = z.object({ channelId: id, channelName: name, path: pagePath });

/** Everything a channel can be sent: the catalogue's events plus the delivery's own messages. */
export const notificationMessageSchema = z.discriminatedUnion('type', [
  ...notificationEventSchema.options,
  event(SUMMARY_MESSAGE_TYPE, summaryDataSchema),
  event(TEST_MESSAGE_TYPE, testDataSchema),
]);
export type NotificationMessage = z.output<typeof notificationMessageSchema>;
export type NotificationMessageType = NotificationMessage['type'];

/**
 * The JSON body a generic webhook receives, signed per Standard Webhooks. `id` is also the
 * `webhook-id` header, the same on every retry, so a receiver can drop duplicates.
 */
export const messageActionSchema = z.object({ label: z.string(), url: z.url() });
export type MessageAction = z.infer<typeof messageActionSchema>;

export const webhookBodySchema = z.intersection(
  notificationMessageSchema,
  z.object({
    id: z.string(),
    occurredAt: epochMs,
    url: z.url(),
    /** One-time approve and deny links (approval.requested), each landing on a confirmation page. */
    actions: z.array(messageActionSchema).optional(),
  }),
);
export type WebhookBody = z.output<typeof webhookBodySchema>;

// ---------------------------------------------------------------------------------------------
// Channels

export const CHANNEL_TYPES = ['webhook', 'slack', 'discord', 'ntfy', 'email'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const SMTP_TLS_MODES = ['none', 'starttls', 'tls'] as const;
export type SmtpTlsMode = (typeof SMTP_TLS_MODES)[number];
/** The usual port for each mode, used when none is given. */
export const SMTP_DEFAULT_PORTS: Record<SmtpTlsMode, number> = { none: 25, starttls: 587, tls: 465 };

/** The settings each type takes besides the common fields. */
export const CHANNEL_SETTING_FIELDS = {
  webhook: ['url'],
  slack: ['url'],
  discord: ['url'],
  ntfy: ['url', 'token'],
  email: ['host', 'port', 'tls', 'user', 'password', 'from', 'to'],
} as const satisfies Record<ChannelType, readonly string[]>;

const unique = (values: readonly unknown[]) => new Set(values).size === values.length;

/** `https://user:password@host/…`: credentials in a URL (a plain `@` later in the path is not). */
function hasUserinfo(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
}
const wholePort = z
  .number()
  .int('Must be a whole number')
  .min(1, 'Must be from 1 to 65535')
  .max(65_535, 'Must be from 1 to 65535');

export const channelFields = {
  name: singleLine(z.string().trim().min(1, 'Name is required').max(100, 'At most 100 characters')),
  enabled: z.boolean(),
  events: z
    .array(
      z.enum(NOTIFICATION_EVENT_TYPES, {
        // Only a string is quoted: String() of a deeply nested array overflows the stack (a 500).
        error: (issue) =>
          typeof issue.input === 'string'
            ? `Unknown event "${issue.input}"`
            : 'An event name, e.g. run.failed',
      }),
    )
    .min(1, 'Choose at least one event')
    .refine(unique, 'Each event at most once'),
  /** Only events about these agents; null for all. Events about no agent (host, circuit) always pass. */
  agentIds: z
    .array(z.number().int().positive())
    .min(1, 'At least one agent, or null for all')
    .max(100, 'At most 100 agents')
    .refine(unique, 'Each agent at most once')
    .nullable(),
  /** The webhook, Slack, Discord or ntfy topic URL. Slack's and Discord's are secrets themselves. */
  url: singleLine(
    z
      .url({ protocol: /^https?$/, error: 'Must be an http:// or https:// URL' })
      .max(2_000, 'At most 2,000 characters'),
  ).refine(
    (url) => !hasUserinfo(url),
    'Take the user and password out of the URL: they would be stored and shown in the clear. ntfy takes an access token in the token field; webhooks are signed with their own secret instead.',
  ),
  /** ntfy access token, sent as a Bearer token. */
  token: singleLine(z.string().trim().min(1, 'Must not be empty').max(500)),
  host: z
    .string()
    .trim()
    .min(1, 'SMTP host is required')
    .max(253)
    .regex(/^[A-Za-z0-9.:[\]-]+$/, 'A host name or IP address'),
  port: wholePort,
  tls: z.enum(SMTP_TLS_MODES, { error: 'One of none, starttls, tls' }),
  user: singleLine(z.string().min(1, 'Must not be empty').max(500)),
  password: singleLine(z.string().min(1, 'Must not be empty').max(500)),
  from: z.email('Not an email address').max(320),
  to: z
    .array(z.email('Not an email address').max(320))
    .min(1, 'At least one recipient')
    .max(20, 'At most 20 recipients'),
};
const f = channelFields;

const commonCreate = {
  name: f.name,
  enabled: f.enabled.optional(),
  events: f.events,
  agentIds: f.agentIds.optional(),
};

export const createChannelSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('webhook'), ...commonCreate, url: f.url }),
    z.strictObject({ type: z.literal('slack'), ...commonCreate, url: f.url }),
    z.strictObject({ type: z.literal('discord'), ...commonCreate, url: f.url }),
    z.strictObject({ type: z.literal('ntfy'), ...commonCreate, url: f.url, token: f.token.optional() }),
    z.strictObject({
      type: z.literal('email'),
      ...commonCreate,
      host: f.host,
      /** Default: 25, 587 or 465 by `tls`. */
      port: f.port.optional(),
      /** Default: starttls. */
      tls: f.tls.optional(),
      user: f.user.optional(),
      password: f.password.optional(),
      from: f.from,
      to: f.to,
    }),
  ])
  .refine((input) => input.type !== 'email' || input.password === undefined || input.user !== undefined, {
    path: ['password'],
    message: 'A password needs a user',
  });
export type CreateChannelInput = z.infer<typeof createChannelSchema>;

/**
 * A change to a channel. Settings must belong to the channel's type (checked against the stored
 * channel); `token`, `user` and `password` take null to remove them. `rotateSecret` gives a webhook
 * a new signing secret, answered once.
 */
export const updateChannelSchema = z
  .strictObject({
    name: f.name.optional(),
    enabled: f.enabled.optional(),
    events: f.events.optional(),
    agentIds: f.agentIds.optional(),
    url: f.url.optional(),
    token: f.token.nullable().optional(),
    host: f.host.optional(),
    port: f.port.optional(),
    tls: f.tls.optional(),
    user: f.user.nullable().optional(),
    password: f.password.nullable().optional(),
    from: f.from.optional(),
    to: f.to.optional(),
    rotateSecret: z.literal(true).optional(),
  })
  .refine((value) => Object.keys(value).length > 0, 'At least one field to change');
export type UpdateChannelInput = z.infer<typeof updateChannelSchema>;

/** A secret as reads show it: never the value, at most its last four characters. */
const masked = z.string();
const channelBase = {
  id,
  name: z.string(),
  enabled: z.boolean(),
  events: z.array(z.enum(NOTIFICATION_EVENT_TYPES)),
  agentIds: z.array(id).nullable(),
  createdAt: epochMs,
  updatedAt: epochMs,
};

/**
 * A channel as the API and pages see it: secrets masked ("••••a1b2"), the SMTP password only as
 * `hasPassword`.
 */
export const channelDtoSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('webhook'), ...channelBase, url: z.string(), secret: masked }),
  z.object({ type: z.literal('slack'), ...channelBase, url: masked }),
  z.object({ type: z.literal('discord'), ...channelBase, url: masked }),
  z.object({ type: z.literal('ntfy'), ...channelBase, url: z.string(), token: masked.nullable() }),
  z.object({
    type: z.literal('email'),
    ...channelBase,
    host: z.string(),
    port: z.number().int(),
    tls: z.enum(SMTP_TLS_MODES),
    user: z.string().nullable(),
    hasPassword: z.boolean(),
    from: z.string(),
    to: z.array(z.string()),
  }),
]);
export type ChannelDto = z.infer<typeof channelDtoSchema>;

export const channelListResponseSchema = z.object({ channels: z.array(channelDtoSchema) });
/**
 * `secret` (a webhook's `whsec_…` signing secret) is present only in the answer that created or
 * rotated it.
 */
export const channelResponseSchema = z.object({ channel: channelDtoSchema, secret: z.string().optional() });

export const testResultSchema = z.object({
  status: z.enum(['delivered', 'failed']),
  /** The HTTP status, or the SMTP reply code; null when no answer came. */
  responseCode: z.number().int().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().int().nonnegative(),
});
export type TestResultDto = z.infer<typeof testResultSchema>;
export const testResponseSchema = z.object({ result: testResultSchema });

// ---------------------------------------------------------------------------------------------
// Delivery log

/**
 * How one attempt ended: `delivered`; `retrying` (failed, another attempt is scheduled);
 * `gave_up` (failed for good: a permanent answer or the last attempt); `failed` (a test message,
 * which is never retried).
 */
export const DELIVERY_STATUSES = ['delivered', 'failed', 'retrying', 'gave_up'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const listDeliveriesQuerySchema = z.strictObject({
  channelId: z.coerce.number().int().positive().optional(),
  status: z.enum(DELIVERY_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Keyset paging: attempts with an id below this one. */
  before: z.coerce.number().int().positive().optional(),
});
export type ListDeliveriesQuery = z.infer<typeof listDeliveriesQuerySchema>;

export const deliveryDtoSchema = z.object({
  id,
  channelId: id,
  channelName: z.string(),
  channelType: z.enum(CHANNEL_TYPES),
  eventId: z.string(),
  eventType: z.string(),
  attempt: z.number().int().positive(),
  status: z.enum(DELIVERY_STATUSES),
  responseCode: z.number().int().nullable(),
  /** What went wrong, with the channel's secrets masked. */
  error: z.string().nullable(),
  durationMs: z.number().int().nonnegative(),
  createdAt: epochMs,
});
export type DeliveryDto = z.infer<typeof deliveryDtoSchema>;
export const deliveryListResponseSchema = z.object({
  deliveries: z.array(deliveryDtoSchema),
  /** Pass as `before` for the next (older) page; null at the end. */
  nextBefore: z.number().int().nullable(),
});

// ---------------------------------------------------------------------------------------------
// Conditions: their state, and why each did or did not send

const channelNames = z.array(z.string());
/**
 * Why a condition did or did not send, as far as the stored state tells: `clear` (nothing holds);
 * `pending` (a breach that must last before it is announced, e.g. the load); `sent` (announced to
 * these channels; again after `quietUntil` if it still holds); `no_channel` (no channel subscribes
 * to its event); `channels_disabled` / `other_agents` (the ones that do are disabled / limited to
 * other agents); `notified_before_channel` (it was marked announced before the first subscribing
 * channel existed, so nothing goes out until the quiet period has passed or it clears).
 */
export const conditionStatusSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('clear') }),
  z.object({ kind: z.literal('pending'), since: epochMs }),
  z.object({ kind: z.literal('sent'), at: epochMs, channels: channelNames, quietUntil: epochMs }),
  z.object({ kind: z.literal('no_channel') }),
  z.object({ kind: z.literal('channels_disabled'), channels: channelNames }),
  z.object({ kind: z.literal('other_agents'), channels: channelNames }),
  z.object({
    kind: z.literal('notified_before_channel'),
    notifiedAt: epochMs,
    channel: z.string(),
    channelCreatedAt: epochMs,
    nextPossibleAt: epochMs,
  }),
]);
export type ConditionStatus = z.infer<typeof conditionStatusSchema>;
export type ConditionStatusKind = ConditionStatus['kind'];

export const conditionDtoSchema = z.object({
  /** As stored: `host.disk:/var`, `budget.warning:agent:3:2026-12`, `health.critical:2`, `circuit`. */
  key: z.string(),
  /** The event it sends when it starts. */
  eventType: z.enum(NOTIFICATION_EVENT_TYPES),
  /** In words, naming its mount, agent, workflow or month. */
  label: z.string(),
  active: z.boolean(),
  /** When it started to hold (or its breach began); null when clear. */
  since: epochMs.nullable(),
  /** When it was last marked announced; null when never. */
  lastNotifiedAt: epochMs.nullable(),
  /** When its state last changed; null when clear. */
  updatedAt: epochMs.nullable(),
  status: conditionStatusSchema,
});
export type ConditionDto = z.infer<typeof conditionDtoSchema>;
export const conditionListResponseSchema = z.object({
  conditions: z.array(conditionDtoSchema),
  quietPeriodMinutes: z.number().int().positive(),
});
export type ConditionListResponse = z.infer<typeof conditionListResponseSchema>;
