import {
  type CatchUpPolicy,
  NEXT_RUNS_COUNT,
  type OverlapPolicy,
  SCHEDULE_DEFAULTS,
  type ScheduleDto,
} from '@/lib/contracts/schedules';
import { cronExpressionIssue, nextRuns, normalizeTimeZone, timeZoneIssue } from '@/lib/scheduling/cron';

/** What the form's inputs hold: text, turned into the API's body only on submit. */
export interface ScheduleFormValues {
  targetKind: 'agent' | 'workflow';
  agentId: string;
  workflowId: string;
  /** Input values by field name; empty ones are left out, so the workflow's defaults apply. */
  workflowInput: Record<string, string>;
  name: string;
  cronExpression: string;
  timezone: string;
  prompt: string;
  enabled: boolean;
  overlapPolicy: OverlapPolicy;
  catchUp: CatchUpPolicy;
  catchUpWindowSeconds: string;
  jitterSeconds: string;
  /** Empty: the agent's own timeout. Agent targets only. */
  approvalTimeoutMinutes: string;
}

/** The fields errors are shown beside, in the order the form shows them; `target` is the agent or workflow picker. */
export const SCHEDULE_FIELDS = [
  'target',
  'name',
  'cronExpression',
  'timezone',
  'prompt',
  'workflowInput',
  'enabled',
  'overlapPolicy',
  'catchUp',
  'catchUpWindowSeconds',
  'jitterSeconds',
  'approvalTimeoutMinutes',
] as const;
export type ScheduleField = (typeof SCHEDULE_FIELDS)[number];

/**
 * Messages by field; a workflow input's own message under `workflowInput.<name>`, and what belongs
 * to no single field under `form`.
 */
export type ScheduleFormErrors = Partial<Record<ScheduleField | 'form', string>> & Record<string, string>;

export function valuesFromSchedule(
  schedule: ScheduleDto | undefined,
  defaults: { timezone: string; agentId?: number },
): ScheduleFormValues {
  return {
    targetKind: schedule?.workflowId != null ? 'workflow' : 'agent',
    agentId: String(schedule?.agentId ?? defaults.agentId ?? ''),
    workflowId: String(schedule?.workflowId ?? ''),
    workflowInput: { ...(schedule?.workflowInput ?? {}) },
    name: schedule?.name ?? SCHEDULE_DEFAULTS.name,
    cronExpression: schedule?.cronExpression ?? '',
    timezone: schedule?.timezone ?? defaults.timezone,
    prompt: schedule?.prompt ?? '',
    enabled: schedule?.enabled ?? SCHEDULE_DEFAULTS.enabled,
    overlapPolicy: schedule?.overlapPolicy ?? SCHEDULE_DEFAULTS.overlapPolicy,
    catchUp: schedule?.catchUp ?? SCHEDULE_DEFAULTS.catchUp,
    catchUpWindowSeconds: String(schedule?.catchUpWindowSeconds ?? SCHEDULE_DEFAULTS.catchUpWindowSeconds),
    jitterSeconds: String(schedule?.jitterSeconds ?? SCHEDULE_DEFAULTS.jitterSeconds),
    approvalTimeoutMinutes: String(schedule?.approvalTimeoutMinutes ?? ''),
  };
}

/** A whole number, or the text as it is (the schema names what is wrong with it). */
function parseNumber(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const value = Number(trimmed);
  return Number.isNaN(value) ? trimmed : value;
}

/**
 * The request body, before the shared schema validates it. Both target fields are always sent,
 * the unused one as null, so the same body creates a schedule or switches an existing one.
 */
export function toScheduleInput(values: ScheduleFormValues): Record<string, unknown> {
  const target =
    values.targetKind === 'agent'
      ? {
          agentId: parseNumber(values.agentId) ?? null,
          workflowId: null,
          workflowInput: null,
          prompt: values.prompt.trim() === '' ? null : values.prompt,
        }
      : {
          agentId: null,
          workflowId: parseNumber(values.workflowId) ?? null,
          workflowInput: Object.fromEntries(
            Object.entries(values.workflowInput).filter(([, value]) => value.trim() !== ''),
          ),
          prompt: null,
        };
  return {
    ...target,
    name: values.name,
    cronExpression: values.cronExpression,
    timezone: values.timezone,
    enabled: values.enabled,
    overlapPolicy: values.overlapPolicy,
    catchUp: values.catchUp,
    catchUpWindowSeconds: parseNumber(values.catchUpWindowSeconds),
    jitterSeconds: parseNumber(values.jitterSeconds),
    ...(values.targetKind === 'agent' && {
      approvalTimeoutMinutes:
        values.approvalTimeoutMinutes.trim() === '' ? null : Number(values.approvalTimeoutMinutes),
    }),
  };
}

function fieldOf(head: string): ScheduleField | 'form' {
  if (head === 'agentId' || head === 'workflowId') return 'target';
  return (SCHEDULE_FIELDS as readonly string[]).includes(head) ? (head as ScheduleField) : 'form';
}

/**
 * One message per field from validation issues, zod's (path as an array) or the API's (a dotted
 * string): a workflow input's issue stays under its own name (`workflowInput.topic`).
 */
export function errorsFromIssues(
  issues: readonly { path: string | readonly PropertyKey[]; message: string }[],
): ScheduleFormErrors {
  const errors: ScheduleFormErrors = {};
  for (const issue of issues) {
    const segments = typeof issue.path === 'string' ? issue.path.split('.') : issue.path.map(String);
    const [head = '', name] = segments;
    const key = head === 'workflowInput' && name !== undefined ? `workflowInput.${name}` : fieldOf(head);
    errors[key] ??= issue.message;
  }
  return errors;
}

/** What the "Repeats" picker offers; `custom` leaves the expression as typed. */
export const PRESETS = {
  minute: 'Every minute',
  five: 'Every 5 minutes',
  hourly: 'Every hour',
  daily: 'Every day',
  weekly: 'Every week',
  custom: 'Custom (cron expression)',
} as const;
export type Preset = keyof typeof PRESETS;

/** Days as cron numbers them (0 = Sunday), in the order a week picker shows them. */
export const WEEKDAYS = [
  { value: 1, label: 'Monday' },
  { value: 2, label: 'Tuesday' },
  { value: 3, label: 'Wednesday' },
  { value: 4, label: 'Thursday' },
  { value: 5, label: 'Friday' },
  { value: 6, label: 'Saturday' },
  { value: 0, label: 'Sunday' },
] as const;

/** A preset with its time of day (`HH:MM`) and day of the week (0 = Sunday), which only some use. */
export interface PresetChoice {
  preset: Preset;
  time: string;
  day: number;
}

export const DEFAULT_PRESET_CHOICE: PresetChoice = { preset: 'daily', time: '09:00', day: 1 };

/** The expression a preset stands for; null for `custom` (the expression stays as typed). */
export function presetExpression({ preset, time, day }: PresetChoice): string | null {
  const [hour = '9', minute = '0'] = time.split(':');
  const at = `${Number(minute)} ${Number(hour)}`;
  switch (preset) {
    case 'minute':
      return '* * * * *';
    case 'five':
      return '*/5 * * * *';
    case 'hourly':
      return '0 * * * *';
    case 'daily':
      return `${at} * * *`;
    case 'weekly':
      return `${at} * * ${day}`;
    case 'custom':
      return null;
  }
}

const pad = (n: number) => String(n).padStart(2, '0');
const FIELD = /^\d{1,2}$/;

/**
 * The preset an expression is, so an existing schedule opens on it: `0 9 * * 1` is weekly on
 * Monday at 09:00; anything no preset writes is `custom`. Time and day keep `fallback`'s when the
 * preset does not use them.
 */
export function presetOf(expression: string, fallback: PresetChoice = DEFAULT_PRESET_CHOICE): PresetChoice {
  const fields = expression.trim().split(/\s+/);
  const same = (preset: Preset) => ({ ...fallback, preset });
  if (fields.length !== 5) return same('custom');
  const [minute = '', hour = '', dom = '', month = '', dow = ''] = fields;
  if (dom !== '*' || month !== '*') return same('custom');
  if (hour === '*' && dow === '*') {
    if (minute === '*') return same('minute');
    if (minute === '*/5') return same('five');
    if (minute === '0') return same('hourly');
    return same('custom');
  }
  if (!FIELD.test(minute) || !FIELD.test(hour) || Number(minute) > 59 || Number(hour) > 23)
    return same('custom');
  const time = `${pad(Number(hour))}:${pad(Number(minute))}`;
  if (dow === '*') return { ...fallback, preset: 'daily', time };
  if (/^[0-6]$/.test(dow)) return { preset: 'weekly', time, day: Number(dow) };
  return same('custom');
}

/** The next times of what the form holds, or null while the expression or zone is not valid. */
export function previewRuns(values: Pick<ScheduleFormValues, 'cronExpression' | 'timezone'>, now: number) {
  if (cronExpressionIssue(values.cronExpression) !== null || timeZoneIssue(values.timezone) !== null)
    return null;
  const timezone = normalizeTimeZone(values.timezone);
  return { timezone, runs: nextRuns(values.cronExpression.trim(), timezone, now, NEXT_RUNS_COUNT) };
}
