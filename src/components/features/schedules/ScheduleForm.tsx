'use client';

import { useRouter } from 'next/navigation';
import { type ChangeEvent, type FormEvent, type ReactNode, useMemo, useState } from 'react';
import { Button } from '@/components/ui/Button';
import { Check, errorIdOf, Form, FormField, FormFooter, FormGrid, Hint } from '@/components/ui/FormParts';
import { useHydrated } from '@/hooks/useHydrated';
import { useNow } from '@/hooks/useNow';
import {
  CATCH_UP_POLICIES,
  OVERLAP_POLICIES,
  type ScheduleDto,
  type ScheduleTargetOptions,
  scheduleResponseSchema,
} from '@/lib/contracts/schedules';
import { ApiClientError, apiFetch, errorMessage } from '@/lib/http/client';
import { cronExpressionIssue, describeCron } from '@/lib/scheduling/cron';
import { createScheduleBodySchema } from '@/lib/scheduling/validation';
import { NextRunsTable } from './NextRunsTable';
import styles from './Schedules.module.css';
import {
  errorsFromIssues,
  PRESETS,
  type Preset,
  presetExpression,
  previewRuns,
  SCHEDULE_FIELDS,
  type ScheduleFormErrors,
  type ScheduleFormValues,
  toScheduleInput,
  valuesFromSchedule,
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
  const hydrated = useHydrated();
  const now = useNow(true, renderedAt);
  const [values, setValues] = useState<ScheduleFormValues>(() =>
    valuesFromSchedule(schedule, { timezone: defaultTimeZone, agentId: fixedAgentId }),
  );
  const [errors, setErrors] = useState<ScheduleFormErrors>({});
  const [presetTime, setPresetTime] = useState('09:00');
  const [submitting, setSubmitting] = useState(false);
  const [saved, setSaved] = useState(false);

  const change = (patch: Partial<ScheduleFormValues>) => {
    setValues((current) => ({ ...current, ...patch }));
    setSaved(false);
  };

  const bind = (
    field:
      | 'name'
      | 'cronExpression'
      | 'timezone'
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
  // Node's and the browser's zone lists differ: offered once the page runs in the browser.
  const zones = useMemo(() => (hydrated ? Intl.supportedValuesOf('timeZone') : []), [hydrated]);

  const showErrors = (next: ScheduleFormErrors) => {
    setErrors(next);
    const order = (key: string) => SCHEDULE_FIELDS.findIndex((field) => key.startsWith(field));
    const [first] = Object.keys(next)
      .filter((key) => key !== 'form')
      .sort((a, b) => order(a) - order(b));
    if (first) document.getElementById(inputId(first))?.focus();
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const parsed = createScheduleBodySchema.safeParse(toScheduleInput(values));
    if (!parsed.success) {
      showErrors(errorsFromIssues(parsed.error.issues));
      return;
    }
    setErrors({});
    setSubmitting(true);
    try {
      const response = await apiFetch(schedule ? `/api/schedules/${schedule.id}` : '/api/schedules', {
        method: schedule ? 'PATCH' : 'POST',
        body: parsed.data,
        schema: scheduleResponseSchema,
      });
      if (schedule) {
        setSubmitting(false);
        setSaved(true);
        onSaved?.(response.schedule);
      } else {
        router.push(`/schedules/${response.schedule.id}?created=1`);
      }
    } catch (error) {
      setSubmitting(false);
      if (error instanceof ApiClientError && error.issues.length > 0)
        showErrors(errorsFromIssues(error.issues));
      else setErrors({ form: errorMessage(error) });
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
          hint="The clocks the expression follows, daylight saving included."
        >
          <input
            type="text"
            list="schedule-zones"
            autoComplete="off"
            spellCheck={false}
            {...bind('timezone')}
          />
          <datalist id="schedule-zones">
            {zones.map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
        </Field>
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
          <div className={styles.cronInput}>
            <input
              type="text"
              className="mono"
              autoComplete="off"
              spellCheck={false}
              {...bind('cronExpression')}
            />
            <fieldset className={styles.presets} aria-label="Presets">
              {(Object.keys(PRESETS) as Preset[]).map((preset) => (
                <Button
                  key={preset}
                  size="small"
                  data-testid={`schedule-preset-${preset}`}
                  onClick={() => change({ cronExpression: presetExpression(preset, presetTime) })}
                >
                  {PRESETS[preset].label}
                  {PRESETS[preset].needsTime ? ` ${presetTime}` : ''}
                </Button>
              ))}
              <input
                type="time"
                aria-label="Preset time"
                className={styles.presetTime}
                value={presetTime}
                data-testid="schedule-preset-time"
                onChange={(event) => setPresetTime(event.target.value || '09:00')}
              />
            </fieldset>
          </div>
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
            <input
              type="number"
              inputMode="numeric"
              min={1}
              max={10_080}
              step={1}
              {...bind('approvalTimeoutMinutes')}
            />
          </Field>
        ) : null}
        <div>
          <Check
            id={inputId('enabled')}
            label="Enabled"
            checked={values.enabled}
            data-testid="schedule-field-enabled"
            onChange={(event) => change({ enabled: event.target.checked })}
          />
          <Hint>Unchecked: paused. Resuming starts from the next slot.</Hint>
        </div>
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
