import { describe, expect, it } from 'vitest';
import {
  type ChannelField,
  type ChannelFormValues,
  errorsFromIssues,
  toCreateInput,
  toUpdateInput,
  valuesFromChannel,
} from '../../src/components/features/notifications/channelFormModel';
import {
  type ChannelDto,
  createChannelSchema,
  updateChannelSchema,
} from '../../src/lib/contracts/notifications';

const base = {
  id: 4,
  name: 'ops',
  enabled: true,
  events: ['run.failed' as const],
  createdAt: 1,
  updatedAt: 1,
};

const email: ChannelDto = {
  ...base,
  type: 'email',
  agentIds: [2],
  host: 'smtp.example.com',
  port: 587,
  tls: 'starttls',
  user: 'ops',
  hasPassword: true,
  from: 'claudeops@example.com',
  to: ['a@example.com', 'b@example.com'],
};

const newForm = (over: Partial<ChannelFormValues>): ChannelFormValues => ({
  ...valuesFromChannel(),
  ...over,
});

/** The JSON body the form sends (undefined fields are not sent). */
const sentCreate = (values: ChannelFormValues) =>
  JSON.parse(JSON.stringify(createChannelSchema.parse(toCreateInput(values))));
const sentUpdate = (values: ChannelFormValues) =>
  JSON.parse(JSON.stringify(updateChannelSchema.parse(toUpdateInput(values))));

/** What the form would show for the body it sends: the schema's issues, by field. */
function createErrors(values: ChannelFormValues) {
  const parsed = createChannelSchema.safeParse(toCreateInput(values));
  return parsed.success ? {} : errorsFromIssues(parsed.error.issues, values);
}

describe('the channel form', () => {
  it('creates a webhook from a name, a URL and the chosen events, for all agents', () => {
    const values = newForm({
      name: ' hooks ',
      url: ' https://ops.example.com/hook ',
      events: ['run.failed'],
    });
    expect(sentCreate(values)).toEqual({
      type: 'webhook',
      name: 'hooks',
      enabled: true,
      events: ['run.failed'],
      agentIds: null,
      url: 'https://ops.example.com/hook',
    });
  });

  it('creates an email channel with the port left to its TLS mode and recipients split by line or comma', () => {
    const values = newForm({
      type: 'email',
      name: 'on-call',
      host: 'smtp.example.com',
      tls: 'tls',
      from: 'claudeops@example.com',
      to: 'a@example.com,\n b@example.com\n',
    });
    const input = sentCreate(values);
    expect(input).toMatchObject({ type: 'email', to: ['a@example.com', 'b@example.com'], tls: 'tls' });
    expect(input).not.toHaveProperty('port');
    expect(input).not.toHaveProperty('password');
  });

  const invalid: [Partial<ChannelFormValues>, ChannelField, string][] = [
    [{ url: 'ftp://example.com' }, 'url', 'Must be an http:// or https:// URL'],
    [{ events: [] }, 'events', 'Choose at least one event'],
    [{ allAgents: false, agentIds: [] }, 'agentIds', 'At least one agent, or null for all'],
    [{ name: '   ' }, 'name', 'Name is required'],
  ];
  it.each(invalid)('refuses %j beside the %s field', (over, field, message) => {
    const values = newForm({ name: 'x', url: 'https://example.com', ...over });
    expect(createErrors(values)[field]).toBe(message);
  });

  it('names the bad recipient and the port out of range', () => {
    const values = newForm({
      type: 'email',
      name: 'mail',
      host: 'smtp.example.com',
      port: '70000',
      from: 'claudeops@example.com',
      to: 'a@example.com, not-an-address',
    });
    expect(createErrors(values)).toMatchObject({
      port: 'Must be from 1 to 65535',
      to: 'not-an-address: Not an email address',
    });
  });

  it('maps the API’s string paths the same way, and what names no field to the form', () => {
    const values = newForm({ type: 'email', to: 'a@example.com\nb@' });
    expect(
      errorsFromIssues(
        [
          { path: 'to.1', message: 'Not an email address' },
          { path: 'agentIds.0', message: 'No agent with id 9' },
          { path: 'rotateSecret', message: 'Only webhook channels have a signing secret' },
        ],
        values,
      ),
    ).toEqual({
      to: 'b@: Not an email address',
      agentIds: 'No agent with id 9',
      form: 'Only webhook channels have a signing secret',
    });
  });

  it('edits a channel sending its settings as shown, but secrets only when typed in or removed', () => {
    const values = valuesFromChannel(email);
    expect(values).toMatchObject({
      allAgents: false,
      agentIds: [2],
      port: '587',
      password: '',
      to: 'a@example.com\nb@example.com',
    });

    const kept = sentUpdate(values);
    expect(kept).toMatchObject({ host: 'smtp.example.com', port: 587, user: 'ops', agentIds: [2] });
    expect(kept).not.toHaveProperty('password');

    expect(sentUpdate({ ...values, password: 'n3w' })).toMatchObject({
      password: 'n3w',
    });
    expect(sentUpdate({ ...values, removePassword: true })).toMatchObject({
      password: null,
    });
    expect(sentUpdate({ ...values, user: '' })).toMatchObject({ user: null });
  });

  it('keeps a Slack URL (itself a secret) unless a new one is typed in', () => {
    const slack: ChannelDto = { ...base, type: 'slack', agentIds: null, url: '••••Xy9z' };
    const values = valuesFromChannel(slack);
    expect(values.url).toBe('');
    expect(sentUpdate(values)).not.toHaveProperty('url');
    const url = 'https://hooks.slack.com/services/T0/B0/abc';
    expect(sentUpdate({ ...values, url })).toMatchObject({ url });
  });
});
