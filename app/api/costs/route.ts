import { getDb } from '@/lib/db';
import { getCostOverview } from '@/lib/db/queries/costReports';
import { json, route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

export const GET = route({}, () => json({ overview: getCostOverview(getDb(), Date.now()) }));
