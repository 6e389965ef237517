'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { ErrorText, Form, FormFooter, FormGrid } from '@/components/ui/FormParts';
import {
  type AppSettingsDto,
  type SettingFallback,
  settingsResponseSchema,
  updateSettingsSchema,
} from '@/lib/contracts/settings';
import { ApiClientError, apiFetch, errorMessage } from '@/lib/http/client';
import { SettingFallbackNote } from './SettingFallbackNote';
import styles from './Settings.module.css';

type Field = keyof AppSettingsDto;
type Values = Record<Field, string>;

interface FieldSpec {
  label: string;
  hint: string;
  step: string;
}

/** The form's sections, in order, each with what its settings are for. */
const SECTIONS = [
  {
    id: 'spend',
    title: 'Spending',
    help: 'A ceiling for what all agents together may spend in a UTC month.',
  },
  {
    id: 'runs',
    title: 'Runs',
    help: 'How many runs go at once, and when repeated API failures stop new runs from starting.',
  },
  {
    id: 'storage',
    title: 'Disk and retention',
    help: 'When new runs are refused for lack of disk, how much log a run may write, and how long logs are kept.',
  },
  {
    id: 'notifications',
    title: 'Notifications',
    help: 'How often a channel hears about the same condition, and how many messages it takes at most.',
  },
  {
    id: 'alerts',
    title: 'Host alerts',
    help: 'When a machine’s disk, memory or load raises a notification (this server’s, and each worker host’s).',
  },
  {
    id: 'metrics',
    title: 'Host metrics',
    help: 'How often each machine is measured, and how long each resolution of history is kept.',
  },
] as const;
type SectionId = (typeof SECTIONS)[number]['id'];

/** Which section each setting sits in; a Record so a new setting cannot be left out. */
const SECTION_OF: Record<Field, SectionId> = {
  monthlyBudgetUsd: 'spend',
  maxConcurrentRuns: 'runs',
  circuitBreakerThreshold: 'runs',
  circuitBreakerCooldownSeconds: 'runs',
  notificationQuietPeriodMinutes: 'notifications',
  notificationRateLimitCount: 'notifications',
  notificationRateLimitWindowMinutes: 'notifications',
  hostDiskUsedPercent: 'alerts',
  hostMemoryAvailablePercent: 'alerts',
  hostLoadPerCore: 'alerts',
  hostLoadSustainMinutes: 'alerts',
  metricsIntervalSeconds: 'metrics',
  metricsRawRetentionHours: 'metrics',
  metricsMinuteRetentionDays: 'metrics',
  metricsHourRetentionDays: 'metrics',
  diskFloorMb: 'storage',
  diskFloorPercent: 'storage',
  runLogCapMb: 'storage',
  runOutputRetentionDays: 'storage',
};

/** Every setting, in the order the form shows them; a Record so a new setting cannot be left out. */
const FIELDS: Record<Field, FieldSpec> = {
  monthlyBudgetUsd: {
    label: 'Monthly budget, all agents (USD)',
    hint: 'Runs are stopped when the month’s spend reaches it, and no new run starts. Empty: no budget.',
    step: 'any',
  },
  maxConcurrentRuns: {
    label: 'Runs at once',
    hint: 'Across all agents; more runs wait queued, oldest first.',
    step: '1',
  },
  circuitBreakerThreshold: {
    label: 'Circuit breaker: failures to open',
    hint: 'Transient failures in a row (rate limit, overload, server, network) that stop new runs from starting.',
    step: '1',
  },
  circuitBreakerCooldownSeconds: {
    label: 'Circuit breaker: cool-down (seconds)',
    hint: 'How long an open circuit waits before one trial run may start.',
    step: '1',
  },
  notificationQuietPeriodMinutes: {
    label: 'Notifications: quiet period (minutes)',
    hint: 'A condition that still holds (disk full, budget at 80%, …) is announced again only after this long.',
    step: '1',
  },
  notificationRateLimitCount: {
    label: 'Notifications: messages per window, per channel',
    hint: 'More than this within the window are held back and sent as one summary when it reopens.',
    step: '1',
  },
  notificationRateLimitWindowMinutes: {
    label: 'Notifications: rate-limit window (minutes)',
    hint: 'The sliding window the per-channel limit counts in.',
    step: '1',
  },
  hostDiskUsedPercent: {
    label: 'Alert when a disk is fuller than (%)',
    hint: 'host.disk, per mount; resolved when it drops 2 points below.',
    step: 'any',
  },
  hostMemoryAvailablePercent: {
    label: 'Alert when available memory is below (%)',
    hint: 'host.memory; resolved when it rises 2 points above.',
    step: 'any',
  },
  hostLoadPerCore: {
    label: 'Alert when the 1-minute load exceeds (× cores)',
    hint: 'host.load, once it has held for the sustain time below.',
    step: 'any',
  },
  hostLoadSustainMinutes: {
    label: 'Load must hold for (minutes)',
    hint: 'A short spike is normal; only a load that stays high raises host.load.',
    step: '1',
  },
  metricsIntervalSeconds: {
    label: 'Host metrics: sample every (seconds)',
    hint: 'How often CPU, memory, disks and network of each machine are read.',
    step: '1',
  },
  metricsRawRetentionHours: {
    label: 'Host metrics: keep raw samples (hours)',
    hint: 'Every sample as taken; the 1-hour chart reads them.',
    step: '1',
  },
  metricsMinuteRetentionDays: {
    label: 'Host metrics: keep 1-minute history (days)',
    hint: 'Average, minimum and maximum per minute; the 24-hour chart reads them.',
    step: '1',
  },
  metricsHourRetentionDays: {
    label: 'Host metrics: keep 1-hour history (days)',
    hint: 'Average, minimum and maximum per hour; the 30-day and 1-year charts read them.',
    step: '1',
  },
  diskFloorMb: {
    label: 'Refuse new runs below this much free disk (MiB)',
    hint: 'On the data directory’s file system; the smaller of this and the share below applies.',
    step: '1',
  },
  diskFloorPercent: {
    label: '…or below this share of the disk (%)',
    hint: 'Runs under way go on; new ones are refused (and recorded) until space is back.',
    step: 'any',
  },
  runLogCapMb: {
    label: 'Log per run, at most (MiB)',
    hint: 'Past it, lines are counted but not stored; the log says where it was cut.',
    step: '1',
  },
  runOutputRetentionDays: {
    label: 'Keep run logs and steps (days)',
    hint: 'After that the run, its cost and its result stay; its log lines and steps are dropped. Empty: forever.',
    step: '1',
  },
};
const FIELD_NAMES = Object.keys(FIELDS) as Field[];
/** Settings where an empty field means "none". */
const NULLABLE: readonly Field[] = ['monthlyBudgetUsd', 'runOutputRetentionDays'];

const toValues = (settings: AppSettingsDto): Values =>
  Object.fromEntries(
    FIELD_NAMES.map((field) => [field, settings[field] === null ? '' : String(settings[field])]),
  ) as Values;

/**
 * The fields edited since the last save, and only those: a stored value that could not be used
 * (shown with its default) is not overwritten by saving another setting.
 */
const toInput = (values: Values, saved: Values) =>
  Object.fromEntries(
    FIELD_NAMES.filter((field) => values[field] !== saved[field]).map((field) => [
      field,
      NULLABLE.includes(field) && values[field].trim() === '' ? null : Number(values[field]),
    ]),
  );

/** The application settings, validated with the API's own schema before they are sent. */
export function SettingsForm({
  settings,
  fallbacks = [],
}: {
  settings: AppSettingsDto;
  fallbacks?: readonly SettingFallback[];
}) {
  const router = useRouter();
  const [values, setValues] = useState(() => toValues(settings));
  const [savedValues, setSavedValues] = useState(values);
  const [errors, setErrors] = useState<Partial<Record<Field | 'form', string>>>({});
  const [saved, setSaved] = useState(false);

  const showIssues = (issues: readonly { path: string; message: string }[]) =>
    setErrors(Object.fromEntries(issues.map((issue) => [issue.path.split('.')[0] ?? 'form', issue.message])));

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSaved(false);
    const input = toInput(values, savedValues);
    if (Object.keys(input).length === 0) {
      setSaved(true);
      return;
    }
    const parsed = updateSettingsSchema.safeParse(input);
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
      setSavedValues(toValues(response.settings));
      setErrors({});
      setSaved(true);
      router.refresh();
    } catch (error) {
      if (error instanceof ApiClientError && error.issues.length > 0) showIssues(error.issues);
      else setErrors({ form: errorMessage(error) });
    }
  };

  const field = (name: Field) => {
    const { label, hint, step } = FIELDS[name];
    const inputId = `settings-${name}`;
    return (
      <div key={name} className={styles.field}>
        <label htmlFor={inputId} className={styles.label}>
          {label}
        </label>
        <input
          id={inputId}
          type="number"
          step={step}
          min={0}
          value={values[name]}
          aria-invalid={errors[name] !== undefined}
          aria-describedby={`${inputId}-hint`}
          data-testid={`settings-field-${name}`}
          onChange={(event) => {
            const { value } = event.target;
            setValues((current) => ({ ...current, [name]: value }));
            setSaved(false);
          }}
        />
        <p className={styles.hint} id={`${inputId}-hint`}>
          {hint}
        </p>
        <SettingFallbackNote fallback={fallbacks.find((fallback) => fallback.field === name)} />
        {errors[name] ? <ErrorText testId={`settings-error-${name}`}>{errors[name]}</ErrorText> : null}
      </div>
    );
  };

  return (
    <Form onSubmit={onSubmit} noValidate data-testid="settings-form">
      {SECTIONS.map((section) => (
        <section
          key={section.id}
          className={styles.section}
          aria-labelledby={`settings-section-${section.id}`}
        >
          <div className={styles.sectionHead}>
            <h2 id={`settings-section-${section.id}`}>{section.title}</h2>
            <p className={styles.hint}>{section.help}</p>
          </div>
          <FormGrid>{FIELD_NAMES.filter((name) => SECTION_OF[name] === section.id).map(field)}</FormGrid>
        </section>
      ))}
      <FormFooter
        error={errors.form}
        submitting={false}
        label="Save settings"
        saved={saved}
        testIds={{ error: 'settings-form-error', save: 'settings-save', saved: 'settings-saved' }}
      />
    </Form>
  );
}
