import { z } from 'zod';
import { openApiDocument } from '@/lib/http/openapi';
import { json, route } from '@/lib/http/route';
import packageJson from '../../../package.json';
import { API_ROUTES } from '../apiRoutes';

export const dynamic = 'force-dynamic';

/** Built on the first request: the routes' schemas do not change while the process lives. */
let document: ReturnType<typeof openApiDocument> | undefined;

/** The OpenAPI 3.1 document of this API, made from the schemas every route parses its input with. */
export const GET = route(
  {
    doc: {
      summary: 'This API as an OpenAPI 3.1 document',
      response: z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) }),
    },
  },
  () => {
    document ??= openApiDocument({ ...API_ROUTES, '/api/openapi.json': { GET } }, packageJson.version);
    return json(document);
  },
);
