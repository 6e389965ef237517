import { scheduleResponseSchema } from '@/lib/contracts/schedules';
import { execute } from '@/lib/db/plan';
import { getStore } from '@/lib/db/store';
import { idParam, json, route } from '@/lib/http/route';
import { deleteSchedule, getSchedule, updateSchedule } from '@/lib/scheduling/schedules';
import { updateScheduleBodySchema } from '@/lib/scheduling/validation';
import { requireRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

export const GET = route(
  { params: idParam, doc: { summary: 'One schedule', response: scheduleResponseSchema } },
  async ({ params }) => {
    const store = getStore();
    return json({ schedule: await execute(store, getSchedule(store, params.id)) });
  },
);

/** Changes what it names; `enabled: false` pauses. A new expression, zone or jitter, or a resume, starts from the next slot. */
export const PATCH = route(
  {
    params: idParam,
    body: updateScheduleBodySchema,
    doc: { summary: 'Change, pause or resume a schedule', response: scheduleResponseSchema },
  },
  async ({ params, body }) => {
    const { scheduler } = requireRuntime().backend;
    const schedule = await updateSchedule(getStore(), params.id, body, Date.now());
    await scheduler.wake();
    return json({ schedule });
  },
);

/** Soft delete: the schedule stops; its history and its runs stay. */
export const DELETE = route(
  { params: idParam, doc: { summary: 'Delete a schedule (its history and runs stay)' } },
  async ({ params }) => {
    const { scheduler } = requireRuntime().backend;
    const store = getStore();
    await execute(store, deleteSchedule(store, params.id, Date.now()));
    await scheduler.wake();
    return new Response(null, { status: 204 });
  },
);
