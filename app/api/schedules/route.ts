import {
  listSchedulesQuerySchema,
  schedulePageSchema,
  scheduleResponseSchema,
} from '@/lib/contracts/schedules';
import { execute } from '@/lib/db/plan';
import { getStore } from '@/lib/db/store';
import { json, route } from '@/lib/http/route';
import { createSchedule, listSchedules } from '@/lib/scheduling/schedules';
import { createScheduleBodySchema } from '@/lib/scheduling/validation';
import { requireRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/** Newest first, each with its next five times and its last firing; `?agentId=` or `?workflowId=` narrows. */
export const GET = route(
  {
    query: listSchedulesQuerySchema,
    doc: { summary: 'List schedules, newest first', response: schedulePageSchema },
  },
  async ({ query }) => {
    const store = getStore();
    return json(await execute(store, listSchedules(store, query)));
  },
);

export const POST = route(
  {
    body: createScheduleBodySchema,
    doc: { summary: 'Create a schedule', status: 201, response: scheduleResponseSchema },
  },
  async ({ body }) => {
    const { scheduler } = requireRuntime().backend;
    const schedule = await createSchedule(getStore(), body, Date.now());
    await scheduler.wake();
    return json({ schedule }, 201);
  },
);
