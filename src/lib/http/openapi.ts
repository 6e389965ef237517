import { z } from 'zod';
import {
  createDocument,
  type ZodObjectInput,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from 'zod-openapi';
import { SESSION_COOKIE } from '../auth/session';
import { type RouteDoc, routeSpecOf } from './route';

/** A route module as Next loads it: its HTTP method exports, each made by `route()`. */
export type RouteModule = Record<string, unknown>;

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
type Method = (typeof HTTP_METHODS)[number];
const WRITES: ReadonlySet<Method> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The one error body of every API answer that is not a success (`http/errors.ts` writes it). */
export const apiErrorBodySchema = z
  .object({
    error: z.looseObject({
      code: z.string().meta({ description: 'Stable, machine-readable: `invalid_request`, `not_found`, …' }),
      message: z.string().meta({ description: 'For a person; names the bad field.' }),
      issues: z
        .array(z.object({ path: z.string(), message: z.string() }))
        .optional()
        .meta({ description: 'Each bad input field by its dotted path (`(root)` for the whole body).' }),
    }),
  })
  .meta({
    id: 'ApiError',
    description:
      'Some errors add facts beside `code`, e.g. `budget`, `limitUsd`, `spentUsd` for `budget_exhausted`.',
  });

const ERROR_MEANINGS: Record<number, string> = {
  400: 'Bad input (`invalid_request` naming the field in `issues`, or `invalid_json`), or a malformed Host header.',
  401: 'No valid access token or session (`unauthorized`).',
  403: 'A Host, Origin or cross-site rule of the request gate refused it.',
  404: 'No such resource (`not_found`).',
  409: 'Refused by the current state (`conflict`, `budget_exhausted`, …); nothing changed.',
  410: 'Gone: the link or approval expired (`link_expired`).',
  413: 'Body larger than 256 KiB (`payload_too_large`).',
  500: 'Unexpected; logged in full on the server, answered without detail (`internal`).',
  503: 'Not ready (`unavailable`: no runtime or database yet) or storage failing (`storage_error`).',
  507: 'The data directory is full (`insufficient_storage`); nothing was saved.',
};

const errorResponse = (status: number) => ({
  description: ERROR_MEANINGS[status] ?? 'Error',
  content: { 'application/json': { schema: apiErrorBodySchema } },
});

/** `/api/agents/[id]` (the folder path) as OpenAPI writes it: `/api/agents/{id}`. */
export const openApiPath = (routePath: string) => routePath.replace(/\[([^\]]+)\]/g, '{$1}');

function responsesFor(method: Method, doc: RouteDoc | undefined, has: { params: boolean; body: boolean }) {
  const status = doc?.status ?? (doc?.response || doc?.stream ? 200 : 204);
  const success =
    doc?.stream !== undefined
      ? { description: doc.stream.description, content: { [doc.stream.contentType]: {} } }
      : doc?.response
        ? { description: 'Success', content: { 'application/json': { schema: doc.response } } }
        : { description: status === 204 ? 'Done; no body' : 'Success' };
  const errors = new Set<number>([400, 401, 403, 500, 503, ...(doc?.errors ?? [])]);
  if (has.params) errors.add(404);
  if (has.body) errors.add(413);
  if (WRITES.has(method)) errors.add(507);
  const responses: Record<string, ZodOpenApiResponseObject> = { [String(status)]: success };
  for (const code of [...errors].sort()) responses[String(code)] = errorResponse(code);
  return responses;
}

function operationFor(method: Method, path: string, handler: unknown): ZodOpenApiOperationObject | null {
  const spec = routeSpecOf(handler);
  if (!spec) return null;
  // Path and query schemas are objects by construction: the wrapper parses a record of strings with them.
  const requestParams = {
    ...(spec.params ? { path: spec.params as ZodObjectInput } : {}),
    ...(spec.query ? { query: spec.query as ZodObjectInput } : {}),
  };
  return {
    operationId: `${method.toLowerCase()}${path
      .replace(/^\/api/, '')
      .replace(/[{}]/g, '')
      .replace(/(^|[/.-])(\w)/g, (_, __, letter: string) => letter.toUpperCase())}`,
    summary: spec.doc?.summary,
    tags: [path.split('/')[2] ?? 'api'],
    ...(spec.doc?.public ? { security: [] } : {}),
    ...(Object.keys(requestParams).length > 0 ? { requestParams } : {}),
    ...(spec.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: spec.body } } } }
      : {}),
    responses: responsesFor(method, spec.doc, {
      params: spec.params !== undefined,
      body: spec.body !== undefined,
    }),
  };
}

/** Each method a route module exports that `route()` made, with its operation. */
export function operationsOf(path: string, module: RouteModule) {
  return HTTP_METHODS.flatMap((method) => {
    const operation = operationFor(method, path, module[method]);
    return operation ? [{ method, operation }] : [];
  });
}

/**
 * The OpenAPI 3.1 document of the API, built from the very schemas the route wrapper parses with
 * (and each route's `doc`), so it cannot drift from what the server accepts.
 */
export function openApiDocument(routes: Record<string, RouteModule>, version: string) {
  const paths: ZodOpenApiPathsObject = {};
  for (const [routePath, module] of Object.entries(routes)) {
    const path = openApiPath(routePath);
    paths[path] = Object.fromEntries(
      operationsOf(path, module).map(({ method, operation }) => [method.toLowerCase(), operation]),
    );
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'ClaudeOps API',
      version,
      description:
        'The JSON API behind every page. Send the access token as `Authorization: Bearer <token>` ' +
        '(or a browser session cookie). Bodies and queries are strict: unknown fields are refused with 400.',
    },
    security: [{ bearerToken: [] }, { sessionCookie: [] }],
    components: {
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: 'The access token (`npm run token`).' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
      },
    },
    paths,
  });
}
