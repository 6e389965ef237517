import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PRESET_CHOICE,
  errorsFromIssues,
  type PresetChoice,
  presetExpression,
  presetOf,
  previewRuns,
  toScheduleInput,
  valuesFromSchedule,
} from '../../src/components/features/schedules/scheduleFormModel';
import type { ScheduleDto, ScheduleFiringDto } from '../../src/lib/contracts/schedules';
import {
  applyFiring,
  mergeSchedules,
  needsAttention,
  withFiring,
} from '../../src/lib/presentation/scheduleView';
import { describeCron } from '../../src/lib/scheduling/cron';
import { createScheduleBodySchema } from '../../src/lib/scheduling/validation';

const at = (iso: string) => Date.parse(iso);
const blank = valuesFromSchedule(undefined, { timezone: 'Europe/Berlin' });

describe('schedule form model', () => {
  it('an agent target: the body the shared schema accepts, an empty prompt meaning the agent’s own', () => {
    const input = toScheduleInput({
      ...blank,
      agentId: '3',
      cronExpression: '30 8 * * 1-5',
      jitterSeconds: '60',
    });
    expect(createScheduleBodySchema.parse(input)).toMatchObject({
      agentId: 3,
      workflowId: null,
      workflowInput: null,
      prompt: null,
      timezone: 'Europe/Berlin',
      jitterSeconds: 60,
    });
  });

  it('a workflow target: empty input values are left out, so the workflow’s defaults apply', () => {
    const input = toScheduleInput({
      ...blank,
      targetKind: 'workflow',
      agentId: '3',
      workflowId: '4',
      workflowInput: { topic: 'disks', tone: ' ' },
      prompt: 'ignored for a workflow',
      cronExpression: '@daily',
    });
    expect(createScheduleBodySchema.parse(input)).toMatchObject({
      agentId: null,
      workflowId: 4,
      workflowInput: { topic: 'disks' },
      prompt: null,
    });
  });

  it('errors land beside their field: both target pickers as one, each workflow input under its name', () => {
    const bad = createScheduleBodySchema.safeParse(
      toScheduleInput({ ...blank, cronExpression: '61 * * * *', catchUpWindowSeconds: '30' }),
    );
    expect(bad.success).toBe(false);
    expect(errorsFromIssues(bad.error?.issues ?? [])).toEqual({
      target: 'Choose an agent or a workflow to run',
      cronExpression: expect.stringMatching(/^minute field "61"/),
      catchUpWindowSeconds: 'At least 60 seconds',
    });
    expect(
      errorsFromIssues([
        { path: 'workflowInput.topic', message: 'topic is required' },
        { path: 'workflowId', message: 'Workflow not found' },
        { path: 'color', message: 'Unknown' },
      ]),
    ).toEqual({ 'workflowInput.topic': 'topic is required', target: 'Workflow not found', form: 'Unknown' });
  });

  it('presets write the expression, said in words', () => {
    const words = (choice: Partial<PresetChoice>) =>
      describeCron(presetExpression({ ...DEFAULT_PRESET_CHOICE, ...choice }) ?? '');
    expect(words({ preset: 'minute' })).toBe('Every minute');
    expect(words({ preset: 'five' })).toBe('Every 5 minutes');
    expect(words({ preset: 'hourly', time: '07:30' })).toBe('Every hour');
    expect(words({ preset: 'daily', time: '07:30' })).toBe('At 07:30');
    expect(words({ preset: 'weekly', time: '18:05', day: 5 })).toBe('At 18:05, only on Friday');
    expect(presetExpression({ ...DEFAULT_PRESET_CHOICE, preset: 'custom' })).toBeNull();
  });

  it('an expression opens on the preset that writes it, anything else on custom', () => {
    expect(presetOf('* * * * *').preset).toBe('minute');
    expect(presetOf('*/5 * * * *').preset).toBe('five');
    expect(presetOf('0 * * * *').preset).toBe('hourly');
    expect(presetOf('30 7 * * *')).toEqual({ preset: 'daily', time: '07:30', day: 1 });
    expect(presetOf(' 5 18 * * 0 ')).toEqual({ preset: 'weekly', time: '18:05', day: 0 });
    for (const custom of ['0 9 * * 1-5', '0 9 1 * *', '*/10 * * * * *', '@daily', '61 9 * * *', '15 * * * *'])
      expect(presetOf(custom).preset, custom).toBe('custom');
    // A round trip: what a preset writes reads back as the same choice.
    const weekly = { preset: 'weekly', time: '06:45', day: 3 } as const;
    expect(presetOf(presetExpression(weekly) ?? '')).toEqual(weekly);
  });

  it('previews the next five times once the expression and zone are valid', () => {
    const now = at('2026-05-04T08:00:00Z');
    expect(previewRuns({ cronExpression: '0 9 * * *', timezone: 'Mars/Olympus' }, now)).toBeNull();
    expect(previewRuns({ cronExpression: '0 9 * *', timezone: 'UTC' }, now)).toBeNull();
    // 10:00 in Berlin already: today's 09:00 has passed.
    expect(previewRuns({ cronExpression: '0 9 * * *', timezone: 'europe/berlin' }, now)).toEqual({
      timezone: 'Europe/Berlin',
      runs: [5, 6, 7, 8, 9].map((day) => at(`2026-05-0${day}T07:00:00Z`)),
    });
  });
});

const schedule: ScheduleDto = {
  id: 7,
  agentId: 3,
  agentName: 'Reporter',
  workflowId: null,
  workflowName: null,
  workflowInput: null,
  name: '',
  cronExpression: '0 * * * *',
  description: 'Every hour',
  timezone: 'UTC',
  enabled: true,
  prompt: null,
  overlapPolicy: 'skip',
  catchUp: 'skip',
  catchUpWindowSeconds: 3_600,
  jitterSeconds: 0,
  approvalTimeoutMinutes: null,
  nextRuns: [9, 10, 11, 12, 13].map((hour) => `2026-05-04T${String(hour).padStart(2, '0')}:00:00.000Z`),
  lastFiring: null,
  createdAt: 0,
  updatedAt: 0,
};

const firing = (
  id: number,
  scheduledFor: number | null,
  outcome: ScheduleFiringDto['outcome'] = 'started',
) => ({
  id,
  scheduleId: 7,
  scheduledFor,
  manual: scheduledFor === null,
  fireAt: scheduledFor ?? at('2026-05-04T09:30:00Z'),
  outcome,
  executionId: outcome === 'started' ? 100 + id : null,
  workflowRunId: null,
  reason: outcome,
  slotCount: 1,
  createdAt: 0,
});

describe('live schedule views', () => {
  it('a slot’s firing becomes the last one and moves the next runs past it, five again', () => {
    const after = applyFiring(schedule, firing(1, at('2026-05-04T09:00:00Z')));
    expect(after.lastFiring?.id).toBe(1);
    expect(after.nextRuns).toEqual(
      [10, 11, 12, 13, 14].map((hour) => `2026-05-04T${String(hour).padStart(2, '0')}:00:00.000Z`),
    );
    // The same frame again, or an older one, changes nothing.
    expect(applyFiring(after, firing(1, at('2026-05-04T09:00:00Z')))).toBe(after);
    expect(applyFiring(after, firing(0, at('2026-05-04T08:00:00Z')))).toBe(after);
    // Another schedule's firing is not ours.
    expect(applyFiring(schedule, { ...firing(2, null), scheduleId: 8 })).toBe(schedule);
  });

  it('a run now, or a paused schedule, keeps the next runs; an unrun outcome needs attention', () => {
    const manual = applyFiring(schedule, firing(1, null));
    expect(manual.nextRuns).toEqual(schedule.nextRuns);
    expect(needsAttention(manual)).toBe(false);
    const refused = applyFiring(manual, firing(2, at('2026-05-04T09:00:00Z'), 'refused_budget'));
    expect(needsAttention(refused)).toBe(true);
    const paused = { ...schedule, enabled: false, nextRuns: [] };
    expect(applyFiring(paused, firing(3, null)).nextRuns).toEqual([]);
  });

  it('a history takes a firing once, newest first, within its limit', () => {
    const list = [firing(3, null), firing(1, null)];
    expect(withFiring(list, firing(2, null), 10).map((f) => f.id)).toEqual([3, 2, 1]);
    expect(withFiring(list, firing(3, null), 10).map((f) => f.id)).toEqual([3, 1]);
    expect(withFiring(list, firing(4, null), 2).map((f) => f.id)).toEqual([4, 3]);
  });

  it('the server’s lists again: new schedules join, and one a frame moved further keeps its state', () => {
    const live = applyFiring(schedule, firing(5, at('2026-05-04T09:00:00Z')));
    const rendered = { ...schedule, lastFiring: firing(4, null) };
    const other = { ...schedule, id: 8 };
    const merged = mergeSchedules([live], [rendered, other]);
    expect(merged.map((s) => [s.id, s.lastFiring?.id])).toEqual([
      [7, 5],
      [8, undefined],
    ]);
    expect(mergeSchedules([schedule], [rendered])[0]?.lastFiring?.id).toBe(4);
  });
});
