import { notFound } from '@/lib/core/errors';
import { route } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

/** Unknown API paths answer JSON like every other API error, not Next's HTML 404 page. */
const unknownRoute = route({}, ({ request }) => {
  throw notFound(`API route ${new URL(request.url).pathname}`);
});

export const GET = unknownRoute;
export const POST = unknownRoute;
export const PUT = unknownRoute;
export const PATCH = unknownRoute;
export const DELETE = unknownRoute;
