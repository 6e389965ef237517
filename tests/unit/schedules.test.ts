import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issuesFromZod } from '../../src/lib/contracts/errors';
import { isDomainError } from '../../src/lib/core/errors';
import type { DbHandle } from '../../src/lib/db';
import { onSqlite, runOnSqlite } from '../../src/lib/db/plan';
import { softDeleteSchedulesOfAgent } from '../../src/lib/db/queries/schedules';
import { executions } from '../../src/lib/db/schema';
import { sqliteStore } from '../../src/lib/db/store';
import { localTimeZone } from '../../src/lib/scheduling/cron';
import { Scheduler } from '../../src/lib/scheduling/scheduler';
import {
  createSchedule,
  deleteSchedule,
  getSchedule,
  listSchedules,
  listSchedulesNeedingAttention,
  listUpcomingSchedules,
  previewSchedule,
  updateSchedule,
} from '../../src/lib/scheduling/schedules';
import {
  createScheduleBodySchema,
  schedulePreviewSchema,
  updateScheduleBodySchema,
} from '../../src/lib/scheduling/validation';
import { captureLogger, createTestAgent, DbLauncher, ManualClock } from '../helpers/scheduling';
import { createTestDb } from '../helpers/testDb';
import { saveWorkflow } from '../helpers/workflowEngine';

const NOW = Date.parse('2026-05-04T08:00:00Z');

let handle: DbHandle;
beforeEach(() => {
  handle = createTestDb();
});
afterEach(() => handle.sqlite.close());

describe('creating a schedule', () => {
  it('fills the documented defaults, stores the server’s zone explicitly, and says when it runs', async () => {
    const agent = createTestAgent(handle.db);
    const created = await createSchedule(
      sqliteStore(handle.db),
      { agentId: agent.id, cronExpression: '0 9 * * 1-5' },
      NOW,
    );
    expect(created).toMatchObject({
      agentId: agent.id,
      agentName: agent.name,
      name: '',
      cronExpression: '0 9 * * 1-5',
      description: 'At 09:00, Monday through Friday',
      timezone: localTimeZone(),
      enabled: true,
      prompt: null,
      overlapPolicy: 'skip',
      catchUp: 'skip',
      catchUpWindowSeconds: 3_600,
      jitterSeconds: 0,
      lastFiring: null,
    });
    expect(created.nextRuns).toHaveLength(5);
  });

  it('gives the next five times in the schedule’s zone, as UTC ISO strings', async () => {
    const agent = createTestAgent(handle.db);
    const created = await createSchedule(
      sqliteStore(handle.db),
      { agentId: agent.id, cronExpression: '30 8 * * 1-5', timezone: 'europe/berlin' },
      NOW,
    );
    expect(created.timezone).toBe('Europe/Berlin');
    expect(created.nextRuns).toEqual([
      '2026-05-05T06:30:00.000Z',
      '2026-05-06T06:30:00.000Z',
      '2026-05-07T06:30:00.000Z',
      '2026-05-08T06:30:00.000Z',
      '2026-05-11T06:30:00.000Z',
    ]);
  });

  it('refuses an unknown agent', async () => {
    await expect(
      createSchedule(sqliteStore(handle.db), { agentId: 999, cronExpression: '@daily' }, NOW),
    ).rejects.toThrow('Agent not found');
  });
});

describe('validation shared by the API and the form', () => {
  const issuesOf = (
    schema: typeof createScheduleBodySchema | typeof updateScheduleBodySchema,
    body: unknown,
  ) => {
    const result = schema.safeParse(body);
    return result.success ? [] : issuesFromZod(result.error);
  };

  it.each([
    [{ agentId: 1, cronExpression: '* * *' }, 'cronExpression', /^Expected 5 fields/],
    [{ agentId: 1, cronExpression: '@reboot' }, 'cronExpression', /^@reboot is not supported/],
    [
      { agentId: 1, cronExpression: '@daily', timezone: 'Moon/Base' },
      'timezone',
      /^Unknown time zone "Moon\/Base"/,
    ],
    [{ agentId: 1, cronExpression: '' }, 'cronExpression', /^A cron expression is required$/],
    [{ agentId: 1, cronExpression: '@daily', overlapPolicy: 'queue' }, 'overlapPolicy', /./],
    [
      { agentId: 1, cronExpression: '@daily', catchUpWindowSeconds: 30 },
      'catchUpWindowSeconds',
      /^At least 60 seconds$/,
    ],
    [{ agentId: 1, cronExpression: '@daily', jitterSeconds: 3_601 }, 'jitterSeconds', /^At most 1 hour$/],
    [{ agentId: 1, cronExpression: '@daily', prompt: '  ' }, 'prompt', /^Must not be empty/],
    [{ agentId: 1, cronExpression: '@daily', every: 'day' }, '(root)', /every/],
    [{ cronExpression: '@daily' }, 'agentId', /^Choose an agent or a workflow to run$/],
    [{ agentId: null, workflowId: null, cronExpression: '@daily' }, 'agentId', /^Choose an agent/],
    [{ agentId: 1, workflowId: 2, cronExpression: '@daily' }, 'workflowId', /not both$/],
    [
      { agentId: 1, workflowInput: { topic: 'x' }, cronExpression: '@daily' },
      'workflowInput',
      /^Only a workflow/,
    ],
    [{ workflowId: 2, prompt: 'Do it', cronExpression: '@daily' }, 'prompt', /own prompts/],
    [{ workflowId: 2, workflowInput: { topic: 5 }, cronExpression: '@daily' }, 'workflowInput.topic', /./],
  ])('create %j: an error on %s', (body, path, message) => {
    const issues = issuesOf(createScheduleBodySchema, body);
    expect(issues.map((issue) => issue.path)).toEqual([path]);
    expect(issues[0]?.message).toMatch(message);
  });

  it('an update checks only what it changes, and must change something', async () => {
    expect(issuesOf(updateScheduleBodySchema, { enabled: false })).toEqual([]);
    expect(issuesOf(updateScheduleBodySchema, { timezone: 'Nowhere/City' }).map((i) => i.path)).toEqual([
      'timezone',
    ]);
    expect(issuesOf(updateScheduleBodySchema, {})).toEqual([
      { path: '(root)', message: 'At least one field to change' },
    ]);
    expect(issuesOf(updateScheduleBodySchema, { agentId: 1, workflowId: 2 }).map((i) => i.path)).toEqual([
      'workflowId',
    ]);
  });

  it('the preview takes the same checks', async () => {
    expect(schedulePreviewSchema.safeParse({ cronExpression: '61 * * * *', timezone: 'UTC' }).success).toBe(
      false,
    );
    expect(previewSchedule({ cronExpression: '@hourly', timezone: 'asia/tokyo' }, NOW)).toEqual({
      description: 'Every hour',
      timezone: 'Asia/Tokyo',
      nextRuns: [
        '2026-05-04T09:00:00.000Z',
        '2026-05-04T10:00:00.000Z',
        '2026-05-04T11:00:00.000Z',
        '2026-05-04T12:00:00.000Z',
        '2026-05-04T13:00:00.000Z',
      ],
    });
  });
});

describe('changing and deleting', () => {
  it('a new expression or zone starts from the next slot after the change; other edits keep the timing', async () => {
    const agent = createTestAgent(handle.db);
    const { id } = await createSchedule(
      sqliteStore(handle.db),
      { agentId: agent.id, cronExpression: '0 12 * * *', timezone: 'UTC' },
      NOW,
    );
    expect(
      (await updateSchedule(sqliteStore(handle.db), id, { prompt: 'Other words' }, NOW + 1_000)).nextRuns[0],
    ).toBe('2026-05-04T12:00:00.000Z');
    const moved = await updateSchedule(
      sqliteStore(handle.db),
      id,
      { timezone: 'America/New_York' },
      NOW + 2_000,
    );
    expect(moved.nextRuns[0]).toBe('2026-05-04T16:00:00.000Z');
    expect(
      (await updateSchedule(sqliteStore(handle.db), id, { cronExpression: '*/5 * * * *' }, NOW + 3_000))
        .nextRuns[0],
    ).toBe('2026-05-04T08:05:00.000Z');
    await expect(updateSchedule(sqliteStore(handle.db), id, { agentId: 999 }, NOW)).rejects.toThrow(
      'Agent not found',
    );
  });

  it('deleting keeps the schedule’s firings and runs; the schedule itself is gone', async () => {
    const agent = createTestAgent(handle.db);
    const { id } = await createSchedule(
      sqliteStore(handle.db),
      { agentId: agent.id, cronExpression: '0 3 * * *' },
      NOW,
    );
    const scheduler = new Scheduler({
      store: sqliteStore(handle.db),
      launcher: new DbLauncher(handle.db),
      logger: captureLogger().logger,
      clock: new ManualClock(NOW),
    });
    const firing = await scheduler.runNow(id);
    onSqlite(handle.db, (s) => deleteSchedule(s, id, NOW));
    expect(() => onSqlite(handle.db, (s) => getSchedule(s, id))).toThrow('Schedule not found');
    expect(() => onSqlite(handle.db, (s) => deleteSchedule(s, id, NOW))).toThrow('Schedule not found');
    expect(onSqlite(handle.db, (s) => listSchedules(s, { limit: 10 })).items).toEqual([]);
    const run = handle.db
      .select()
      .from(executions)
      .where(eq(executions.id, firing.executionId ?? 0))
      .get();
    expect(run?.scheduleId).toBe(id);
    expect(
      handle.sqlite.prepare('select count(*) as n from schedule_firings where schedule_id = ?').get(id),
    ).toEqual({
      n: 1,
    });
  });

  it('deleting an agent takes its schedules along, and only them', async () => {
    const agent = createTestAgent(handle.db);
    const other = createTestAgent(handle.db);
    const mine = (
      await createSchedule(sqliteStore(handle.db), { agentId: agent.id, cronExpression: '@daily' }, NOW)
    ).id;
    const theirs = (
      await createSchedule(sqliteStore(handle.db), { agentId: other.id, cronExpression: '@daily' }, NOW)
    ).id;
    expect(runOnSqlite(softDeleteSchedulesOfAgent(sqliteStore(handle.db), agent.id, NOW))).toBe(1);
    expect(() => onSqlite(handle.db, (s) => getSchedule(s, mine))).toThrow('Schedule not found');
    expect(onSqlite(handle.db, (s) => getSchedule(s, theirs)).enabled).toBe(true);
  });
});

describe('lists', () => {
  function setUp() {
    const clock = new ManualClock(NOW);
    const launcher = new DbLauncher(handle.db);
    const scheduler = new Scheduler({
      store: sqliteStore(handle.db),
      launcher,
      logger: captureLogger().logger,
      clock,
    });
    const agent = createTestAgent(handle.db);
    const make = async (cronExpression: string, enabled = true) =>
      (
        await createSchedule(
          sqliteStore(handle.db),
          { agentId: agent.id, cronExpression, timezone: 'UTC', enabled },
          NOW,
        )
      ).id;
    return { clock, launcher, scheduler, agent, make };
  }

  it('the dashboard: next runs by time, and the schedules whose last firing started nothing', async () => {
    const { scheduler, launcher, clock, make } = setUp();
    const later = await make('0 12 * * *');
    const sooner = await make('*/10 * * * *');
    await make('0 9 * * *', false);
    expect(onSqlite(handle.db, (s) => listUpcomingSchedules(s, 10)).map((s) => s.id)).toEqual([
      sooner,
      later,
    ]);

    launcher.refuse = () => ({ outcome: 'refused_budget', reason: 'The monthly budget is exhausted' });
    clock.time = Date.parse('2026-05-04T08:10:00Z');
    await scheduler.tick();
    expect(
      onSqlite(handle.db, (s) => listSchedulesNeedingAttention(s, 10)).map((s) => [
        s.id,
        s.lastFiring?.reason,
      ]),
    ).toEqual([[sooner, 'The monthly budget is exhausted']]);
    launcher.refuse = null;
    await scheduler.runNow(sooner);
    expect(onSqlite(handle.db, (s) => listSchedulesNeedingAttention(s, 10))).toEqual([]);
  });
});

describe('a workflow target', () => {
  const issueOf = async (act: () => Promise<unknown>) => {
    try {
      await act();
    } catch (error) {
      if (isDomainError(error)) return [error.kind, error.issue?.path ?? null, error.message];
      throw error;
    }
    throw new Error('expected a domain error');
  };

  async function setUp() {
    const agent = createTestAgent(handle.db);
    const workflow = await saveWorkflow(sqliteStore(handle.db), {
      name: 'report',
      inputs: [
        { name: 'topic', required: true },
        { name: 'tone', default: 'dry' },
      ],
      steps: [{ key: 'a', agentId: agent.id, prompt: 'About {{input.topic}}, {{input.tone}}' }],
    });
    return { agent, workflow };
  }

  it('runs a workflow with its input; the schedule names it, and lists filter by it', async () => {
    const { agent, workflow } = await setUp();
    const created = await createSchedule(
      sqliteStore(handle.db),
      {
        workflowId: workflow.id,
        workflowInput: { topic: 'disks' },
        cronExpression: '@daily',
        timezone: 'UTC',
      },
      NOW,
    );
    expect(created).toMatchObject({
      agentId: null,
      agentName: null,
      workflowId: workflow.id,
      workflowName: 'report',
      workflowInput: { topic: 'disks' },
      prompt: null,
      nextRuns: expect.arrayContaining(['2026-05-05T00:00:00.000Z']),
    });
    await createSchedule(sqliteStore(handle.db), { agentId: agent.id, cronExpression: '@daily' }, NOW);
    expect(
      onSqlite(handle.db, (s) => listSchedules(s, { limit: 10, workflowId: workflow.id })).items.map(
        (s) => s.id,
      ),
    ).toEqual([created.id]);
  });

  it('refuses an input that does not fit the workflow’s fields, naming the field, and an unknown workflow', async () => {
    const { workflow } = await setUp();
    const create =
      (workflowInput: Record<string, string> | undefined, workflowId = workflow.id) =>
      () =>
        createSchedule(sqliteStore(handle.db), { workflowId, workflowInput, cronExpression: '@daily' }, NOW);
    expect(await issueOf(create(undefined))).toEqual([
      'invalid_input',
      'workflowInput.topic',
      'Invalid workflowInput.topic: topic is required',
    ]);
    expect(await issueOf(create({ topic: 'x', colour: 'red' }))).toEqual([
      'invalid_input',
      'workflowInput.colour',
      'Invalid workflowInput.colour: Not an input field of this workflow',
    ]);
    expect(await issueOf(create({ topic: 'x' }, workflow.id + 1))).toEqual([
      'not_found',
      null,
      'Workflow not found',
    ]);
    expect(onSqlite(handle.db, (s) => listSchedules(s, { limit: 10 })).items).toEqual([]);
  });

  it('a PATCH naming one target switches to it, clearing the other; the schedule as it would become is checked', async () => {
    const { agent, workflow } = await setUp();
    const { id } = await createSchedule(
      sqliteStore(handle.db),
      { agentId: agent.id, prompt: 'Check the disks.', cronExpression: '@daily' },
      NOW,
    );
    const toWorkflow = await updateSchedule(
      sqliteStore(handle.db),
      id,
      { workflowId: workflow.id, workflowInput: { topic: 'cpu' } },
      NOW,
    );
    expect(toWorkflow).toMatchObject({
      agentId: null,
      prompt: null,
      workflowId: workflow.id,
      workflowInput: { topic: 'cpu' },
    });
    expect(await issueOf(() => updateSchedule(sqliteStore(handle.db), id, { prompt: 'Hello' }, NOW))).toEqual(
      [
        'invalid_input',
        'prompt',
        'Invalid prompt: A workflow’s steps have their own prompts; give it input instead',
      ],
    );
    expect(
      (await issueOf(() => updateSchedule(sqliteStore(handle.db), id, { workflowInput: {} }, NOW)))?.[1],
    ).toBe('workflowInput.topic');
    expect(
      (await issueOf(() => updateSchedule(sqliteStore(handle.db), id, { workflowId: null }, NOW)))?.[1],
    ).toBe('agentId');
    const back = await updateSchedule(sqliteStore(handle.db), id, { agentId: agent.id }, NOW);
    expect(back).toMatchObject({ agentId: agent.id, workflowId: null, workflowInput: null });
  });
});
