'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { type AppSettingsDto, updateSettingsSchema } from '@/lib/contracts/settings';
import { ApiClientError, apiFetch, errorMessage } from '@/lib/http/client';
import { settingsResponseSchema } from '@/lib/http/responses';

type Field = keyof AppSettingsDto;
type Values = Record<Field, string>;

const FIELDS: readonly { field: Field; label: string; hint: string; step: string }[] = [
  {
    field: 'monthlyBudgetUsd',
    label: 'Monthly budget, all agents (USD)',
    hint: 'Runs are stopped when the month’s spend reaches it, and no new run starts. Empty: no budget.',
    step: 'any',
  },
  {
    field: 'maxConcurrentRuns',
    label: 'Runs at once',
    hint: 'Across all agents; more runs wait queued, oldest first.',
    step: '1',
  },
  {
    field: 'circuitBreakerThreshold',
    label: 'Circuit breaker: failures to open',
    hint: 'Transient failures in a row (rate limit, overload, server, network) that stop new runs from starting.',
    step: '1',
  },
  {
    field: 'circuitBreakerCooldownSeconds',
    label: 'Circuit breaker: cool-down (seconds)',
    hint: 'How long an open circuit waits before one trial run may start.',
    step: '1',
  },
  {
    field: 'metricsIntervalSeconds',
    label: 'Host metrics: sample every (seconds)',
    hint: 'How often CPU, memory, disks and network of this machine are read.',
    step: '1',
  },
  {
    field: 'metricsRawRetentionHours',
    label: 'Host metrics: keep raw samples (hours)',
    hint: 'Every sample as taken; the 1-hour chart reads them.',
    step: '1',
  },
  {
    field: 'metricsMinuteRetentionDays',
    label: 'Host metrics: keep 1-minute history (days)',
    hint: 'Average, minimum and maximum per minute; the 24-hour chart reads them.',
    step: '1',
  },
  {
    field: 'metricsHourRetentionDays',
    label: 'Host metrics: keep 1-hour history (days)',
    hint: 'Average, minimum and maximum per hour; the 30-day and 1-year charts read them.',
    step: '1',
  },
];

const toValues = (settings: AppSettingsDto): Values => ({
  monthlyBudgetUsd: settings.monthlyBudgetUsd === null ? '' : String(settings.monthlyBudgetUsd),
  maxConcurrentRuns: String(settings.maxConcurrentRuns),
  circuitBreakerThreshold: String(settings.circuitBreakerThreshold),
  circuitBreakerCooldownSeconds: String(settings.circuitBreakerCooldownSeconds),
  metricsIntervalSeconds: String(settings.metricsIntervalSeconds),
  metricsRawRetentionHours: String(settings.metricsRawRetentionHours),
  metricsMinuteRetentionDays: String(settings.metricsMinuteRetentionDays),
  metricsHourRetentionDays: String(settings.metricsHourRetentionDays),
});

const toInput = (values: Values) => ({
  monthlyBudgetUsd: values.monthlyBudgetUsd.trim() === '' ? null : Number(values.monthlyBudgetUsd),
  maxConcurrentRuns: Number(values.maxConcurrentRuns),
  circuitBreakerThreshold: Number(values.circuitBreakerThreshold),
  circuitBreakerCooldownSeconds: Number(values.circuitBreakerCooldownSeconds),
  metricsIntervalSeconds: Number(values.metricsIntervalSeconds),
  metricsRawRetentionHours: Number(values.metricsRawRetentionHours),
  metricsMinuteRetentionDays: Number(values.metricsMinuteRetentionDays),
  metricsHourRetentionDays: Number(values.metricsHourRetentionDays),
});

/** The application settings, validated with the API's own schema before they are sent. */
export function SettingsForm({ settings }: { settings: AppSettingsDto }) {
  const router = useRouter();
  const [values, setValues] = useState(() => toValues(settings));
  const [errors, setErrors] = useState<Partial<Record<Field | 'form', string>>>({});
  const [saved, setSaved] = useState(false);

  const showIssues = (issues: readonly { path: string; message: string }[]) =>
    setErrors(Object.fromEntries(issues.map((issue) => [issue.path.split('.')[0] ?? 'form', issue.message])));

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSaved(false);
    const parsed = updateSettingsSchema.safeParse(toInput(values));
    if (!parsed.success) {
      showIssues(
        parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      );
      return;
    }
    try {
      const response = await apiFetch('/api/settings', {
        method: 'PATCH',
        body: parsed.data,
        schema: settingsResponseSchema,
      });
      setValues(toValues(response.settings));
      setErrors({});
      setSaved(true);
      router.refresh();
    } catch (error) {
      if (error instanceof ApiClientError && error.issues.length > 0) showIssues(error.issues);
      else setErrors({ form: errorMessage(error) });
    }
  };

  return (
    <form className="form" onSubmit={onSubmit} noValidate data-testid="settings-form">
      <div className="form-grid">
        {FIELDS.map(({ field, label, hint, step }) => (
          <div key={field} className={`field${errors[field] ? ' field-invalid' : ''}`}>
            <label htmlFor={`settings-${field}`}>{label}</label>
            <input
              id={`settings-${field}`}
              type="number"
              step={step}
              min={0}
              value={values[field]}
              aria-invalid={errors[field] !== undefined}
              data-testid={`settings-field-${field}`}
              onChange={(event) => {
                const { value } = event.target;
                setValues((current) => ({ ...current, [field]: value }));
                setSaved(false);
              }}
            />
            <p className="field-hint">{hint}</p>
            {errors[field] ? (
              <p className="field-error" data-testid={`settings-error-${field}`}>
                {errors[field]}
              </p>
            ) : null}
          </div>
        ))}
      </div>
      {errors.form ? (
        <p className="callout callout-error" role="alert">
          {errors.form}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="button button-primary" data-testid="settings-save">
          Save settings
        </button>
        {saved ? (
          <output className="saved" data-testid="settings-saved">
            Saved
          </output>
        ) : null}
      </div>
    </form>
  );
}
