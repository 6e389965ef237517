import { firingResponseSchema } from '@/lib/contracts/schedules';
import { idParam, json, route } from '@/lib/http/route';
import { assertFiringStarted } from '@/lib/scheduling/schedules';
import { requireRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/**
 * Run now: recorded in the schedule's history as manual, whether it starts (201 with the firing)
 * or a budget, the circuit breaker or the target refuses it (409 naming the refusal, with the firing).
 */
export const POST = route(
  {
    params: idParam,
    doc: { summary: 'Run a schedule now', status: 201, response: firingResponseSchema, errors: [409] },
  },
  async ({ params }) => {
    const firing = await requireRuntime().backend.scheduler.runNow(params.id);
    assertFiringStarted(firing);
    return json({ firing }, 201);
  },
);
