import { schedulePreviewResponseSchema } from '@/lib/contracts/schedules';
import { json, route } from '@/lib/http/route';
import { previewSchedule } from '@/lib/scheduling/schedules';
import { schedulePreviewSchema } from '@/lib/scheduling/validation';

export const dynamic = 'force-dynamic';

/** The next five times of an expression in a zone, and the expression in words; a 400 names the bad field. */
export const GET = route(
  {
    query: schedulePreviewSchema,
    doc: {
      summary: 'The next times of a cron expression in a zone',
      response: schedulePreviewResponseSchema,
    },
  },
  ({ query }) => json(previewSchedule(query, Date.now())),
);
