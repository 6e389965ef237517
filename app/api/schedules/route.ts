import {
  listSchedulesQuerySchema,
  schedulePageSchema,
  scheduleResponseSchema,
} from '@/lib/contracts/schedules';
import { getDb } from '@/lib/db';
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
  ({ query }) => json(listSchedules(getDb(), query)),
);

export const POST = route(
  {
    body: createScheduleBodySchema,
    doc: { summary: 'Create a schedule', status: 201, response: scheduleResponseSchema },
  },
  ({ body }) => {
    const { scheduler } = requireRuntime().backend;
    const schedule = createSchedule(getDb(), body, Date.now());
    scheduler.wake();
    return json({ schedule }, 201);
  },
);
