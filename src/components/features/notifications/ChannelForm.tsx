'use client';

import { useRouter } from 'next/navigation';
import { type ChangeEvent, type ComponentProps, type FormEvent, type ReactNode, useState } from 'react';
import { ButtonLink } from '@/components/ui/Button';
import { Callout } from '@/components/ui/Callout';
import formStyles from '@/components/ui/Form.module.css';
import {
  Check,
  ChoiceColumn,
  ChoiceColumns,
  ChoiceField,
  errorIdOf,
  Form,
  FormActions,
  FormField,
  type FormFieldProps,
  FormFooter,
  FormGrid,
  Hint,
} from '@/components/ui/FormParts';
import { useFormSubmission } from '@/hooks/useFormSubmission';
import {
  CHANNEL_TYPES,
  type ChannelDto,
  type ChannelType,
  type CreateChannelInput,
  channelResponseSchema,
  createChannelSchema,
  type NotificationEventType,
  SMTP_DEFAULT_PORTS,
  SMTP_TLS_MODES,
  type UpdateChannelInput,
  updateChannelSchema,
} from '@/lib/contracts/notifications';
import { apiFetch } from '@/lib/http/client';
import {
  CHANNEL_TYPE_LABELS,
  type ChannelField,
  type ChannelFormErrors,
  type ChannelFormValues,
  EVENT_GROUPS,
  EVENT_LABELS,
  errorsFromIssues,
  toCreateInput,
  toUpdateInput,
  valuesFromChannel,
} from './channelFormModel';
import { SecretOnce } from './SecretOnce';

export interface AgentChoice {
  id: number;
  name: string;
}

/** The inputs that hold text as typed. */
type TextField = 'name' | 'url' | 'token' | 'host' | 'port' | 'user' | 'password' | 'from' | 'to';

const inputId = (field: ChannelField) => `channel-${field}`;
const errorTestId = (field: ChannelField) => `channel-error-${field}`;

function Field({
  field,
  ...props
}: { field: ChannelField } & Omit<FormFieldProps, 'inputId' | 'errorTestId'>) {
  return <FormField inputId={inputId(field)} errorTestId={errorTestId(field)} {...props} />;
}

/** A fieldset of checkboxes (events, agents) with its error below. */
function Choices({
  field,
  legend,
  error,
  children,
}: {
  field: ChannelField;
  legend: string;
  error: string | undefined;
  children: ReactNode;
}) {
  return (
    <ChoiceField
      legend={legend}
      error={error}
      errorId={errorIdOf(inputId(field))}
      errorTestId={errorTestId(field)}
      testId={`channel-field-${field}`}
    >
      {children}
    </ChoiceField>
  );
}

/**
 * A secret's input. Editing, it starts empty (the saved value is never sent to the page): empty
 * keeps the saved one, and a saved one can be removed.
 */
function SecretInput({
  input,
  editing,
  removable,
}: {
  input: ComponentProps<'input'>;
  editing: boolean;
  removable: { label: string; checked: boolean; onChange: (checked: boolean) => void; testId: string } | null;
}) {
  return (
    <>
      <input
        type="password"
        autoComplete="new-password"
        placeholder={editing ? 'Leave empty to keep the saved one' : undefined}
        {...input}
      />
      {removable ? (
        <Check
          label={removable.label}
          checked={removable.checked}
          onChange={(event) => removable.onChange(event.target.checked)}
          data-testid={removable.testId}
        />
      ) : null}
    </>
  );
}

const URL_HINTS: Record<Exclude<ChannelType, 'email'>, string> = {
  webhook: 'Receives signed JSON (Standard Webhooks). The signing secret is shown once, after saving.',
  slack: 'A Slack incoming-webhook URL. It is a secret: it is never shown again.',
  discord: 'A Discord webhook URL. It is a secret: it is never shown again.',
  ntfy: 'The topic URL, e.g. https://ntfy.sh/my-ops.',
};

const toggle = <T,>(list: readonly T[], item: T, on: boolean): T[] =>
  on ? [...list, item] : list.filter((value) => value !== item);

/**
 * Creates a channel, or edits one when `channel` is given. Validates with the API's own schemas
 * before sending and shows the API's issues beside the same fields. A new webhook's signing secret
 * is shown once, after it is created.
 */
export function ChannelForm({ channel, agents }: { channel?: ChannelDto; agents: AgentChoice[] }) {
  const router = useRouter();
  const [values, setValues] = useState<ChannelFormValues>(() => valuesFromChannel(channel));
  const { errors, submitting, saved, setSaved, submit, settle } = useFormSubmission<ChannelFormErrors>({
    toErrors: (issues) => errorsFromIssues(issues, values),
    firstInvalid: (next) => {
      const first = (Object.keys(next) as (ChannelField | 'form')[]).find((key) => key !== 'form');
      return first && inputId(first);
    },
  });
  const [createdSecret, setCreatedSecret] = useState<string | null>(null);
  const editing = channel !== undefined;

  const set = <K extends keyof ChannelFormValues>(key: K, value: ChannelFormValues[K]) => {
    setValues((current) => ({ ...current, [key]: value }));
    setSaved(false);
  };

  const bind = (field: TextField) => ({
    id: inputId(field),
    name: field,
    value: values[field],
    'aria-invalid': errors[field] !== undefined,
    'aria-describedby': errors[field] === undefined ? undefined : errorIdOf(inputId(field)),
    'data-testid': `channel-field-${field}`,
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => set(field, event.target.value),
  });

  /** A select over a fixed list: only its own options are taken. */
  const bindChoice = <K extends 'type' | 'tls'>(field: K, options: readonly ChannelFormValues[K][]) => ({
    id: inputId(field),
    name: field,
    value: values[field],
    'data-testid': `channel-field-${field}`,
    onChange: (event: ChangeEvent<HTMLSelectElement>) => {
      const chosen = options.find((option) => option === event.target.value);
      if (chosen !== undefined) set(field, chosen);
    },
  });

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const response = await submit(
      editing
        ? updateChannelSchema.safeParse(toUpdateInput(values))
        : createChannelSchema.safeParse(toCreateInput(values)),
      (body: CreateChannelInput | UpdateChannelInput) =>
        apiFetch(editing ? `/api/notification-channels/${channel.id}` : '/api/notification-channels', {
          method: editing ? 'PATCH' : 'POST',
          body,
          schema: channelResponseSchema,
        }),
    );
    if (!response) return;
    if (editing) {
      setValues(valuesFromChannel(response.channel));
      settle({ saved: true });
      router.refresh();
    } else if (response.secret) {
      settle({ saved: false });
      setCreatedSecret(response.secret);
      // The secret stays on screen; the refresh drops the router's cached list without the new
      // channel, which "Done" would otherwise show (seen once under load).
      router.refresh();
    } else {
      router.push('/notifications');
      router.refresh();
    }
  };

  if (createdSecret !== null) {
    return (
      <div className={formStyles.form} data-testid="channel-created">
        <Callout tone="ok" as="p">
          <span role="status">Channel “{values.name.trim()}” created.</span>
        </Callout>
        <SecretOnce secret={createdSecret} />
        <FormActions>
          <ButtonLink href="/notifications" variant="primary" data-testid="channel-created-done">
            Done
          </ButtonLink>
        </FormActions>
      </div>
    );
  }

  const type = values.type;
  return (
    <Form onSubmit={onSubmit} noValidate data-testid="channel-form">
      <FormGrid>
        <Field
          field="type"
          label="Type"
          error={errors.type}
          hint={editing ? 'A channel keeps its type; make a new one for another.' : undefined}
        >
          <select {...bindChoice('type', CHANNEL_TYPES)} disabled={editing}>
            {CHANNEL_TYPES.map((option) => (
              <option key={option} value={option}>
                {CHANNEL_TYPE_LABELS[option]}
              </option>
            ))}
          </select>
        </Field>
        <Field field="name" label="Name" error={errors.name}>
          <input type="text" autoComplete="off" {...bind('name')} />
        </Field>
        {type !== 'email' ? (
          <Field field="url" label="URL" error={errors.url} hint={URL_HINTS[type]} wide>
            <input
              type="url"
              spellCheck={false}
              autoComplete="off"
              placeholder={
                editing && (type === 'slack' || type === 'discord')
                  ? `${channel?.type === type ? channel.url : ''} (leave empty to keep)`
                  : 'https://'
              }
              {...bind('url')}
            />
          </Field>
        ) : null}
        {type === 'ntfy' ? (
          <Field
            field="token"
            label="Access token (optional)"
            error={errors.token}
            hint="Sent as a Bearer token."
          >
            <SecretInput
              input={bind('token')}
              editing={editing}
              removable={
                channel?.type === 'ntfy' && channel.token !== null
                  ? {
                      label: `Remove the saved token (${channel.token})`,
                      checked: values.removeToken,
                      onChange: (checked) => set('removeToken', checked),
                      testId: 'channel-remove-token',
                    }
                  : null
              }
            />
          </Field>
        ) : null}
        {type === 'email' ? (
          <>
            <Field field="host" label="SMTP host" error={errors.host}>
              <input type="text" spellCheck={false} autoComplete="off" {...bind('host')} />
            </Field>
            <Field field="tls" label="Encryption" error={errors.tls}>
              <select {...bindChoice('tls', SMTP_TLS_MODES)}>
                {SMTP_TLS_MODES.map((mode) => (
                  <option key={mode} value={mode}>
                    {mode === 'none' ? 'none' : mode === 'starttls' ? 'STARTTLS' : 'TLS'}
                  </option>
                ))}
              </select>
            </Field>
            <Field
              field="port"
              label="Port"
              error={errors.port}
              hint={`Empty: ${SMTP_DEFAULT_PORTS[values.tls]}.`}
            >
              <input type="number" inputMode="numeric" min={1} max={65_535} step={1} {...bind('port')} />
            </Field>
            <Field field="user" label="User (optional)" error={errors.user}>
              <input type="text" spellCheck={false} autoComplete="off" {...bind('user')} />
            </Field>
            <Field field="password" label="Password (optional)" error={errors.password}>
              <SecretInput
                input={bind('password')}
                editing={editing}
                removable={
                  channel?.type === 'email' && channel.hasPassword
                    ? {
                        label: 'Remove the saved password',
                        checked: values.removePassword,
                        onChange: (checked) => set('removePassword', checked),
                        testId: 'channel-remove-password',
                      }
                    : null
                }
              />
            </Field>
            <Field field="from" label="From" error={errors.from}>
              <input type="email" spellCheck={false} {...bind('from')} />
            </Field>
            <Field
              field="to"
              label="To"
              error={errors.to}
              hint="Up to 20 addresses, comma or newline separated."
            >
              <textarea rows={2} spellCheck={false} {...bind('to')} />
            </Field>
          </>
        ) : null}
        <Choices field="events" legend="Events" error={errors.events}>
          <ChoiceColumns>
            {EVENT_GROUPS.map(([group, types]) => (
              <ChoiceColumn key={group}>
                {types.map((eventType: NotificationEventType) => (
                  <Check
                    key={eventType}
                    checked={values.events.includes(eventType)}
                    onChange={(event) =>
                      set('events', toggle(values.events, eventType, event.target.checked))
                    }
                    data-testid={`channel-event-${eventType}`}
                    label={
                      <>
                        <span className="mono">{eventType}</span>{' '}
                        <span className="muted">{EVENT_LABELS[eventType]}</span>
                      </>
                    }
                  />
                ))}
              </ChoiceColumn>
            ))}
          </ChoiceColumns>
        </Choices>
        <Choices field="agentIds" legend="Agents" error={errors.agentIds}>
          <Check
            type="radio"
            name="channel-agents"
            label="All agents"
            checked={values.allAgents}
            onChange={() => set('allAgents', true)}
            data-testid="channel-agents-all"
          />
          <Check
            type="radio"
            name="channel-agents"
            label="Only these agents (events about no agent, like host and circuit, always pass)"
            checked={!values.allAgents}
            onChange={() => set('allAgents', false)}
            data-testid="channel-agents-some"
          />
          {values.allAgents ? null : (
            <ChoiceColumn>
              {agents.map((agent) => (
                <Check
                  key={agent.id}
                  label={agent.name}
                  checked={values.agentIds.includes(agent.id)}
                  onChange={(event) =>
                    set('agentIds', toggle(values.agentIds, agent.id, event.target.checked))
                  }
                  data-testid={`channel-agent-${agent.id}`}
                />
              ))}
            </ChoiceColumn>
          )}
        </Choices>
        <div>
          <Check
            label="Enabled"
            checked={values.enabled}
            onChange={(event) => set('enabled', event.target.checked)}
            data-testid="channel-field-enabled"
          />
          {editing ? <Hint>Disabling drops what the channel has not sent yet.</Hint> : null}
        </div>
      </FormGrid>
      <FormFooter
        error={errors.form}
        submitting={submitting}
        label={editing ? 'Save changes' : 'Create channel'}
        saved={saved}
        testIds={{ error: 'channel-form-error', save: 'channel-save', saved: 'channel-saved' }}
      />
    </Form>
  );
}
