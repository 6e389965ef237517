'use client';

import { useRouter } from 'next/navigation';
import { type ChangeEvent, type FormEvent, type ReactNode, useMemo, useState } from 'react';
import { ApprovalTimeoutInput } from '@/components/features/approvals/ApprovalTimeoutInput';
import {
  Check,
  ChoiceField,
  errorIdOf,
  Form,
  FormField,
  FormFooter,
  FormGrid,
} from '@/components/ui/FormParts';
import { TimeZonePicker } from '@/components/ui/TimeZonePicker';
import { useFormSubmission } from '@/hooks/useFormSubmission';
import { useNow } from '@/hooks/useNow';
import {
  CATCH_UP_POLICIES,
  OVERLAP_POLICIES,
  type ScheduleDto,
  type ScheduleTargetOptions,
  scheduleResponseSchema,
} from '@/lib/contracts/schedules';
import { apiFetch } from '@/lib/http/client';
import { cronExpressionIssue, describeCron } from '@/lib/scheduling/cron';
import { createScheduleBodySchema } from '@/lib/scheduling/validation';
import { NextRunsTable } from './NextRunsTable';
import styles from './Schedules.module.css';
import {
  DEFAULT_PRESET_CHOICE,
  errorsFromIssues,
  PRESETS,
  type Preset,
  type PresetChoice,
  presetExpression,
  presetOf,
  previewRuns,
  SCHEDULE_FIELDS,
  type ScheduleFormErrors,
  type ScheduleFormValues,
  toScheduleInput,
  valuesFromSchedule,
  WEEKDAYS,
} from './scheduleFormModel';

const inputId = (field: string) => `schedule-${field.replace('.', '-')}`;

const OVERLAP_TEXT: Record<(typeof OVERLAP_POLICIES)[number], string> = {
  skip: 'Skip the slot while a run from this schedule is queued or running',
  buffer_one: 'Let one run wait behind the running one; skip beyond that',
  allow: 'Start every slot (the limits and the queue still apply)',
};

const CATCH_UP_TEXT: Record<(typeof CATCH_UP_POLICIES)[number], string> = {
  skip: 'Record slots missed while the server was down; run none of them',
  latest: 'Run the latest missed slot once, if it is within the window',
};

function Field({
  field,
  ...rest
}: {
  field: string;
  label: string;
  hint?: ReactNode;
  error: string | undefined;
  wide?: boolean;
  children: ReactNode;
}) {
  return <FormField inputId={inputId(field)} errorTestId={`schedule-error-${field}`} {...rest} />;
}

export interface ScheduleFormProps {
  /** Edits this schedule; creates one when absent. */
  schedule?: ScheduleDto;
  targets: ScheduleTargetOptions;
  /** On an agent's page: the schedule runs this agent, and the form offers no other target. */
  fixedAgentId?: number;
  /** The zone a new schedule starts with: the server's own. */
  defaultTimeZone: string;
  renderedAt: number;
  /** After an edit was saved, with the schedule as the server answered. */
  onSaved?: (schedule: ScheduleDto) => void;
}

/**
 * Creates or edits a schedule. Validates with the API's own schema (the cron expression and time
 * zone by the same cron code) before sending, and shows the API's issues beside the same fields.
 * The expression is said in words and its next five times shown as it is typed.
 */
export function ScheduleForm({
  schedule,
  targets,
  fixedAgentId,
  defaultTimeZone,
  renderedAt,
  onSaved,
}: ScheduleFormProps) {
  const router = useRouter();
  const now = useNow(true, renderedAt);
  const [values, setValues] = useState<ScheduleFormValues>(() => {
    const initial = valuesFromSchedule(schedule, { timezone: defaultTimeZone, agentId: fixedAgentId });
    // A new schedule starts on a preset (every day at 09:00) rather than an empty expression.
    return schedule ? initial : { ...initial, cronExpression: presetExpression(DEFAULT_PRESET_CHOICE) ?? '' };
  });
  const [choice, setChoice] = useState<PresetChoice>(() => presetOf(values.cronExpression));
  const { errors, submitting, saved, setSaved, submit, settle } = useFormSubmission<ScheduleFormErrors>({
    toErrors: errorsFromIssues,
    firstInvalid: (next) => {
      const order = (key: string) => SCHEDULE_FIELDS.findIndex((field) => key.startsWith(field));
      const [first] = Object.keys(next)
        .filter((key) => key !== 'form')
        .sort((a, b) => order(a) - order(b));
      return first && inputId(first);
    },
  });

  const change = (patch: Partial<ScheduleFormValues>) => {
    setValues((current) => ({ ...current, ...patch }));
    setSaved(false);
  };

  /** A preset (or its time or day) picked: the expression follows, unless it is custom. */
  const choose = (patch: Partial<PresetChoice>) => {
    const next = { ...choice, ...patch };
    setChoice(next);
    const expression = presetExpression(next);
    if (expression !== null) change({ cronExpression: expression });
  };

  const bind = (
    field:
      | 'name'
      | 'cronExpression'
      | 'prompt'
      | 'catchUpWindowSeconds'
      | 'jitterSeconds'
      | 'approvalTimeoutMinutes',
  ) => ({
    id: inputId(field),
    name: field,
    value: values[field],
    'aria-invalid': errors[field] !== undefined,
    'aria-describedby': errors[field] === undefined ? undefined : errorIdOf(inputId(field)),
    'data-testid': `schedule-field-${field}`,
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
      change({ [field]: event.target.value }),
  });

  const workflow = targets.workflows.find((option) => String(option.id) === values.workflowId);
  const words =
    cronExpressionIssue(values.cronExpression) === null ? describeCron(values.cronExpression) : null;
  const preview = useMemo(() => previewRuns(values, now), [values, now]);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const response = await submit(createScheduleBodySchema.safeParse(toScheduleInput(values)), (body) =>
      apiFetch(schedule ? `/api/schedules/${schedule.id}` : '/api/schedules', {
        method: schedule ? 'PATCH' : 'POST',
        body,
        schema: scheduleResponseSchema,
      }),
    );
    if (!response) return;
    if (schedule) {
      settle({ saved: true });
      onSaved?.(response.schedule);
    } else {
      router.push(`/schedules/${response.schedule.id}?created=1`);
    }
  };

  const fixedAgent = targets.agents.find((agent) => agent.id === fixedAgentId);

  return (
    <Form onSubmit={onSubmit} noValidate data-testid="schedule-form">
      <FormGrid>
        {fixedAgent ? (
          <p className={styles.wide} data-testid="schedule-fixed-agent">
            Runs <strong>{fixedAgent.name}</strong>
          </p>
        ) : (
          <Field field="target" label="Runs" error={errors.target} wide>
            <div className={styles.targetPicker}>
              <select
                aria-label="What the schedule runs"
                value={values.targetKind}
                data-testid="schedule-field-targetKind"
                onChange={(event) =>
                  change({ targetKind: event.target.value === 'workflow' ? 'workflow' : 'agent' })
                }
              >
                <option value="agent">Agent</option>
                <option value="workflow">Workflow</option>
              </select>
              {values.targetKind === 'agent' ? (
                <select
                  id={inputId('target')}
                  value={values.agentId}
                  aria-invalid={errors.target !== undefined}
                  data-testid="schedule-field-agentId"
                  onChange={(event) => change({ agentId: event.target.value })}
                >
                  <option value="">Choose an agent…</option>
                  {targets.agents.map((agent) => (
                    <option key={agent.id} value={agent.id}>
                      {agent.name}
                    </option>
                  ))}
                </select>
              ) : (
                <select
                  id={inputId('target')}
                  value={values.workflowId}
                  aria-invalid={errors.target !== undefined}
                  data-testid="schedule-field-workflowId"
                  onChange={(event) => change({ workflowId: event.target.value, workflowInput: {} })}
                >
                  <option value="">Choose a workflow…</option>
                  {targets.workflows.map((option) => (
                    <option key={option.id} value={option.id}>
                      {option.name}
                    </option>
                  ))}
                </select>
              )}
            </div>
          </Field>
        )}
        <Field field="name" label="Name" error={errors.name} hint="Optional: how lists show it.">
          <input type="text" autoComplete="off" {...bind('name')} />
        </Field>
        <Field
          field="timezone"
          label="Time zone"
          error={errors.timezone}
          hint="The clocks the schedule follows, daylight saving included."
        >
          <TimeZonePicker
            id={inputId('timezone')}
            value={values.timezone}
            onChange={(timezone) => change({ timezone })}
            invalid={errors.timezone !== undefined}
            describedBy={errors.timezone === undefined ? undefined : errorIdOf(inputId('timezone'))}
            testId="schedule-field-timezone"
          />
        </Field>
        <Field field="preset" label="Repeats" error={undefined}>
          <select
            id={inputId('preset')}
            value={choice.preset}
            data-testid="schedule-field-preset"
            onChange={(event) =>
              choose({
                preset: (Object.keys(PRESETS) as Preset[]).find((p) => p === event.target.value) ?? 'custom',
              })
            }
          >
            {(Object.keys(PRESETS) as Preset[]).map((preset) => (
              <option key={preset} value={preset}>
                {PRESETS[preset]}
              </option>
            ))}
          </select>
        </Field>
        {choice.preset === 'weekly' ? (
          <Field field="presetDay" label="On" error={undefined}>
            <select
              id={inputId('presetDay')}
              value={choice.day}
              data-testid="schedule-field-presetDay"
              onChange={(event) => choose({ day: Number(event.target.value) })}
            >
              {WEEKDAYS.map((day) => (
                <option key={day.value} value={day.value}>
                  {day.label}
                </option>
              ))}
            </select>
          </Field>
        ) : null}
        {choice.preset === 'daily' || choice.preset === 'weekly' ? (
          <Field
            field="presetTime"
            label="At (time of day)"
            error={undefined}
            hint="In the schedule's time zone."
          >
            <input
              id={inputId('presetTime')}
              type="time"
              value={choice.time}
              data-testid="schedule-field-presetTime"
              onChange={(event) => choose({ time: event.target.value || DEFAULT_PRESET_CHOICE.time })}
            />
          </Field>
        ) : null}
        <Field
          field="cronExpression"
          label="Cron expression"
          error={errors.cronExpression}
          wide
          hint={
            <>
              minute hour day-of-month month day-of-week, or seconds first; @hourly, @daily…{' '}
              {words ? (
                <strong className={styles.words} data-testid="schedule-words">
                  {words}
                </strong>
              ) : null}
            </>
          }
        >
          <input
            type="text"
            className="mono"
            autoComplete="off"
            spellCheck={false}
            {...bind('cronExpression')}
            onChange={(event) => {
              // Typed by hand: the picker shows the preset it now is, or Custom.
              change({ cronExpression: event.target.value });
              setChoice((current) => presetOf(event.target.value, current));
            }}
          />
        </Field>
        {values.targetKind === 'agent' ? (
          <Field
            field="prompt"
            label="Prompt"
            error={errors.prompt}
            hint="Empty: the agent’s default prompt."
            wide
          >
            <textarea rows={3} {...bind('prompt')} />
          </Field>
        ) : (
          (workflow?.inputs ?? []).map((input) => {
            const key = `workflowInput.${input.name}`;
            return (
              <Field
                key={key}
                field={key}
                label={`${input.label ?? input.name}${input.required ? '' : ' (optional)'}`}
                error={errors[key]}
                hint={input.default === undefined ? undefined : `Empty: “${input.default}”.`}
              >
                <input
                  id={inputId(key)}
                  type="text"
                  value={values.workflowInput[input.name] ?? ''}
                  aria-invalid={errors[key] !== undefined}
                  data-testid={`schedule-input-${input.name}`}
                  onChange={(event) =>
                    change({ workflowInput: { ...values.workflowInput, [input.name]: event.target.value } })
                  }
                />
              </Field>
            );
          })
        )}
        <Field field="overlapPolicy" label="While a run is still going" error={errors.overlapPolicy}>
          <select
            id={inputId('overlapPolicy')}
            value={values.overlapPolicy}
            data-testid="schedule-field-overlapPolicy"
            onChange={(event) =>
              change({ overlapPolicy: OVERLAP_POLICIES.find((p) => p === event.target.value) ?? 'skip' })
            }
          >
            {OVERLAP_POLICIES.map((policy) => (
              <option key={policy} value={policy}>
                {OVERLAP_TEXT[policy]}
              </option>
            ))}
          </select>
        </Field>
        <Field field="catchUp" label="After the server was down" error={errors.catchUp}>
          <select
            id={inputId('catchUp')}
            value={values.catchUp}
            data-testid="schedule-field-catchUp"
            onChange={(event) =>
              change({ catchUp: CATCH_UP_POLICIES.find((p) => p === event.target.value) ?? 'skip' })
            }
          >
            {CATCH_UP_POLICIES.map((policy) => (
              <option key={policy} value={policy}>
                {CATCH_UP_TEXT[policy]}
              </option>
            ))}
          </select>
        </Field>
        <Field
          field="catchUpWindowSeconds"
          label="Catch-up window (seconds)"
          error={errors.catchUpWindowSeconds}
          hint="How old a missed slot may be and still run (catch-up: latest)."
        >
          <input type="number" inputMode="numeric" min={60} step={1} {...bind('catchUpWindowSeconds')} />
        </Field>
        <Field
          field="jitterSeconds"
          label="Jitter (seconds)"
          error={errors.jitterSeconds}
          hint="Delays each slot by a fixed 0…N seconds, so schedules do not all start at once."
        >
          <input type="number" inputMode="numeric" min={0} max={3_600} step={1} {...bind('jitterSeconds')} />
        </Field>
        {values.targetKind === 'agent' ? (
          <Field
            field="approvalTimeoutMinutes"
            label="Approval timeout (minutes)"
            error={errors.approvalTimeoutMinutes}
            hint="How long this schedule's runs wait for an approval. Empty: the agent's own."
          >
            <ApprovalTimeoutInput {...bind('approvalTimeoutMinutes')} />
          </Field>
        ) : null}
        <ChoiceField
          legend="State"
          hint="A paused schedule starts nothing; resuming starts from the next slot."
          error={errors.enabled}
          errorId={errorIdOf(inputId('enabled'))}
          errorTestId="schedule-error-enabled"
          testId="schedule-field-state"
          id={inputId('enabled')}
        >
          {(
            [
              [true, 'Enabled'],
              [false, 'Paused'],
            ] as const
          ).map(([enabled, label]) => (
            <Check
              key={label}
              type="radio"
              name="enabled"
              label={label}
              checked={values.enabled === enabled}
              data-testid={`schedule-state-${enabled ? 'enabled' : 'paused'}`}
              onChange={() => change({ enabled })}
            />
          ))}
        </ChoiceField>
      </FormGrid>
      <section className={styles.preview} aria-label="Next runs" data-testid="schedule-preview">
        <h4>Next runs</h4>
        {preview ? (
          <NextRunsTable runs={preview.runs} timeZone={preview.timezone} />
        ) : (
          <p className="muted small">Shown once the expression and the time zone are valid.</p>
        )}
      </section>
      <FormFooter
        error={errors.form}
        submitting={submitting}
        label={schedule ? 'Save changes' : 'Create schedule'}
        saved={saved}
        testIds={{ error: 'schedule-form-error', save: 'schedule-save', saved: 'schedule-saved' }}
      />
    </Form>
  );
}
