import { json, route } from '@/lib/http/route';
import { previewSchedule } from '@/lib/scheduling/schedules';
import { schedulePreviewSchema } from '@/lib/scheduling/validation';

export const dynamic = 'force-dynamic';

/** The next five times of an expression in a zone, and the expression in words; a 400 names the bad field. */
export const GET = route({ query: schedulePreviewSchema }, ({ query }) =>
  json(previewSchedule(query, Date.now())),
);
