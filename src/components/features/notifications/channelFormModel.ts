import {
  type ChannelDto,
  type ChannelType,
  NOTIFICATION_EVENT_TYPES,
  type NotificationEventType,
  SMTP_DEFAULT_PORTS,
  type SmtpTlsMode,
} from '@/lib/contracts/notifications';
import { fieldErrors, type IssuePath } from '@/lib/presentation/fieldErrors';

/** What the form's inputs hold: text and choices, turned into the API's shape only on submit. */
export interface ChannelFormValues {
  type: ChannelType;
  name: string;
  enabled: boolean;
  events: NotificationEventType[];
  /** False: only the agents in `agentIds`. */
  allAgents: boolean;
  agentIds: number[];
  url: string;
  token: string;
  removeToken: boolean;
  host: string;
  port: string;
  tls: SmtpTlsMode;
  user: string;
  password: string;
  removePassword: boolean;
  from: string;
  /** Comma or newline separated. */
  to: string;
}

export type ChannelField =
  | 'type'
  | 'name'
  | 'enabled'
  | 'events'
  | 'agentIds'
  | 'url'
  | 'token'
  | 'host'
  | 'port'
  | 'tls'
  | 'user'
  | 'password'
  | 'from'
  | 'to';

/** Messages by field; `form` holds what belongs to no single field. */
export type ChannelFormErrors = Partial<Record<ChannelField | 'form', string>>;

export const CHANNEL_TYPE_LABELS: Record<ChannelType, string> = {
  webhook: 'Webhook (signed)',
  slack: 'Slack',
  discord: 'Discord',
  ntfy: 'ntfy',
  email: 'Email (SMTP)',
};

/** Each event as the form offers it. */
export const EVENT_LABELS: Record<NotificationEventType, string> = {
  'run.failed': 'A run failed',
  'run.timeout': 'A run hit its timeout',
  'run.budget_exceeded': 'A run was stopped by a budget',
  'run.interrupted': 'A run was cut short by a server stop',
  'budget.warning': 'A budget passed 80%',
  'budget.exhausted': 'A budget is spent',
  'schedule.refused': 'A schedule slot was refused',
  'schedule.missed': 'Schedule slots were missed',
  'health.warning': 'The health report warns',
  'health.critical': 'The health report is critical',
  'circuit.opened': 'The circuit breaker opened',
  'circuit.closed': 'The circuit breaker closed',
  'host.disk': 'A disk is nearly full',
  'host.memory': 'Memory is running out',
  'host.load': 'The load stays high',
  'approval.requested': 'A tool call waits for approval (with approve/deny links)',
  'approval.expired': 'A tool call’s approval expired',
  'storage.low': 'Disk space is below the floor (runs refused)',
  'storage.failing': 'ClaudeOps cannot write its data',
};

/** The events a new channel starts with: the ones that need a person. */
const DEFAULT_EVENTS: NotificationEventType[] = [
  'run.failed',
  'run.timeout',
  'run.budget_exceeded',
  'budget.exhausted',
  'health.critical',
  'circuit.opened',
  'host.disk',
  'storage.low',
  'storage.failing',
];

const EMPTY: ChannelFormValues = {
  type: 'webhook',
  name: '',
  enabled: true,
  events: DEFAULT_EVENTS,
  allAgents: true,
  agentIds: [],
  url: '',
  token: '',
  removeToken: false,
  host: '',
  port: '',
  tls: 'starttls',
  user: '',
  password: '',
  removePassword: false,
  from: '',
  to: '',
};

/**
 * The form's values for a stored channel, or a new one. Secrets are never known here: their
 * inputs start empty, and empty means "keep" when editing.
 */
export function valuesFromChannel(channel?: ChannelDto): ChannelFormValues {
  if (!channel) return EMPTY;
  const common = {
    ...EMPTY,
    type: channel.type,
    name: channel.name,
    enabled: channel.enabled,
    events: channel.events,
    allAgents: channel.agentIds === null,
    agentIds: channel.agentIds ?? [],
  };
  switch (channel.type) {
    case 'webhook':
    case 'ntfy':
      return { ...common, url: channel.url };
    case 'slack':
    case 'discord':
      return common;
    case 'email':
      return {
        ...common,
        host: channel.host,
        port: String(channel.port),
        tls: channel.tls,
        user: channel.user ?? '',
        from: channel.from,
        to: channel.to.join('\n'),
      };
  }
}

/** Addresses separated by commas or lines; blanks dropped. */
export function parseAddressList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((address) => address.trim())
    .filter((address) => address !== '');
}

const nonEmpty = (text: string) => (text.trim() === '' ? undefined : text);

function commonInput(values: ChannelFormValues) {
  return {
    name: values.name,
    enabled: values.enabled,
    events: values.events,
    agentIds: values.allAgents ? null : values.agentIds,
  };
}

/** The body to create a channel, before the shared schema validates (and trims) it. */
export function toCreateInput(values: ChannelFormValues): Record<string, unknown> {
  const base = { type: values.type, ...commonInput(values) };
  switch (values.type) {
    case 'webhook':
    case 'slack':
    case 'discord':
      return { ...base, url: values.url.trim() };
    case 'ntfy':
      return { ...base, url: values.url.trim(), token: nonEmpty(values.token) };
    case 'email':
      return {
        ...base,
        host: values.host,
        port: values.port.trim() === '' ? undefined : Number(values.port),
        tls: values.tls,
        user: nonEmpty(values.user),
        password: nonEmpty(values.password),
        from: values.from.trim(),
        to: parseAddressList(values.to),
      };
  }
}

/** A secret input: a new value replaces it, "remove" drops it, empty keeps what is stored. */
const secretChange = (text: string, remove: boolean) => (remove ? null : nonEmpty(text));

/**
 * The body to change a channel. Every setting of its type is sent as shown, except secrets, which
 * are sent only when typed in or removed, and Slack and Discord URLs, which are secrets themselves.
 */
export function toUpdateInput(values: ChannelFormValues): Record<string, unknown> {
  const base = commonInput(values);
  switch (values.type) {
    case 'webhook':
      return { ...base, url: values.url.trim() };
    case 'slack':
    case 'discord':
      return { ...base, url: nonEmpty(values.url.trim()) };
    case 'ntfy':
      return { ...base, url: values.url.trim(), token: secretChange(values.token, values.removeToken) };
    case 'email':
      return {
        ...base,
        host: values.host,
        port: values.port.trim() === '' ? SMTP_DEFAULT_PORTS[values.tls] : Number(values.port),
        tls: values.tls,
        user: values.user.trim() === '' ? null : values.user,
        password: secretChange(values.password, values.removePassword),
        from: values.from.trim(),
        to: parseAddressList(values.to),
      };
  }
}

const FIELDS: readonly ChannelField[] = [
  'type',
  'name',
  'enabled',
  'events',
  'agentIds',
  'url',
  'token',
  'host',
  'port',
  'tls',
  'user',
  'password',
  'from',
  'to',
];
const isField = (key: string): key is ChannelField => (FIELDS as readonly string[]).includes(key);

/** Issues by field; a bad recipient is named, since the field holds a list. */
export function errorsFromIssues(
  issues: readonly { path: IssuePath; message: string }[],
  values: ChannelFormValues,
): ChannelFormErrors {
  return fieldErrors(issues, isField, (field, index) =>
    field === 'to' ? parseAddressList(values.to)[index] : undefined,
  );
}

/** Every event, in the catalogue's order, grouped by what it is about ('run', 'budget', …). */
export const EVENT_GROUPS: [string, NotificationEventType[]][] = [
  ...NOTIFICATION_EVENT_TYPES.reduce((groups, type) => {
    const group = type.split('.')[0] ?? type;
    groups.set(group, [...(groups.get(group) ?? []), type]);
    return groups;
  }, new Map<string, NotificationEventType[]>()),
];
