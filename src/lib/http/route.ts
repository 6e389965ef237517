import { z } from 'zod';
import { env } from '../config/env';
import { issuesFromZod } from '../contracts/errors';
import { appLogger } from '../core/logger';
import { storageFaultOf } from '../core/storageFault';
import { describePostgresUrl, lostDatabaseLinkOf } from '../db/postgresUrl';
import { AUTH_VIA_HEADER, type AuthVia } from '../security/requestGate';
import { getRuntime } from '../server/runtime';
import { ApiError, errorBody, fromLostDatabase, fromStorageFault, toApiError } from './errors';

export const MAX_BODY_BYTES = 256 * 1024;

type Schema = z.ZodType | undefined;
type Parsed<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

/** Statuses a route answers besides those every route can (see `COMMON_ERRORS` in openapi.ts). */
export type RouteErrorStatus = 401 | 404 | 409 | 410;

/** What the API reference says about a route beyond its input schemas (openapi.ts reads it). */
export interface RouteDoc {
  /** One line: what the route does. */
  summary: string;
  /** The success status; 200 unless given. */
  status?: 200 | 201 | 202 | 204;
  /** The success body's schema (JSON); omit for 204, or give `stream` for another kind of body. */
  response?: z.ZodType;
  /** A success body that is not JSON (a stream, a file): its content type and what it holds. */
  stream?: { contentType: string; description: string };
  errors?: readonly RouteErrorStatus[];
  /** The request gate lets it through without credentials (signing in). */
  public?: true;
}

export interface RouteSpec<P extends Schema, Q extends Schema, B extends Schema> {
  params?: P;
  query?: Q;
  body?: B;
  doc?: RouteDoc;
}

type AnyRouteSpec = RouteSpec<Schema, Schema, Schema>;
const specs = new WeakMap<object, AnyRouteSpec>();

/** The spec a handler was made from by `route()`, so the API reference documents what is parsed. */
export const routeSpecOf = (handler: unknown): AnyRouteSpec | undefined =>
  typeof handler === 'function' ? specs.get(handler) : undefined;

export interface RouteInput<P extends Schema, Q extends Schema, B extends Schema> {
  request: Request;
  /** How the gate in server.ts authorized the request (a script's Bearer token, or a page's session). */
  via: AuthVia | null;
  params: Parsed<P>;
  query: Parsed<Q>;
  body: Parsed<B>;
}

interface NextRouteContext {
  params: Promise<Record<string, string | string[] | undefined>>;
}

/** A positive integer id from a path segment; anything else is a 400 naming the segment. */
export const idParam = z.strictObject({
  id: z
    .string()
    .regex(/^[1-9][0-9]{0,14}$/, 'Must be a positive whole number')
    .transform(Number),
});

export const json = (data: unknown, status = 200) => Response.json(data, { status });

const noQuery = z.strictObject({});

function parseWith<S extends Schema>(schema: S | undefined, value: unknown, where: string): Parsed<S> {
  if (!schema) return undefined as Parsed<S>;
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = issuesFromZod(result.error);
    throw new ApiError(
      400,
      'invalid_request',
      `Invalid ${where}: ${issues[0]?.path} ${issues[0]?.message}`,
      issues,
    );
  }
  return result.data as Parsed<S>;
}

/** The parsed JSON body; undefined for an empty one (which only a schema that allows no body accepts). */
async function readJsonBody(request: Request): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES)
    throw new ApiError(413, 'payload_too_large', `Body larger than ${MAX_BODY_BYTES} bytes`);
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw new ApiError(413, 'payload_too_large', `Body larger than ${MAX_BODY_BYTES} bytes`);
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid_json', 'The body is not valid JSON');
  }
}

const AUTH_VIAS: readonly string[] = ['bearer', 'session', 'public', 'auth-disabled'] satisfies AuthVia[];

function authVia(request: Request): AuthVia | null {
  const via = request.headers.get(AUTH_VIA_HEADER);
  return via !== null && AUTH_VIAS.includes(via) ? (via as AuthVia) : null;
}

function parseBody<B extends Schema>(schema: B & z.ZodType, raw: unknown): Parsed<B> {
  if (raw === undefined && !schema.safeParse(undefined).success) {
    throw new ApiError(400, 'invalid_json', 'A JSON body is required');
  }
  return parseWith<B>(schema, raw, 'body');
}

function toResponse(error: unknown, method: string): Response {
  const fault = storageFaultOf(error);
  if (fault) {
    appLogger().warn({ err: error }, 'request failed on storage');
    getRuntime()?.backend.storage.reportFault(fault);
    const apiError = fromStorageFault(fault, env().dataDir, method);
    return json(errorBody(apiError), apiError.status);
  }
  const databaseUrl = env().databaseUrl;
  const lost = databaseUrl === undefined ? null : lostDatabaseLinkOf(error);
  if (databaseUrl !== undefined && lost !== null) {
    appLogger().warn({ err: error }, 'request failed: the database cannot be reached');
    const apiError = fromLostDatabase(lost, describePostgresUrl(databaseUrl), method);
    return json(errorBody(apiError), apiError.status);
  }
  const apiError = toApiError(error);
  if (apiError) {
    if (apiError.status >= 500) appLogger().error({ err: error }, 'request failed');
    return json(errorBody(apiError), apiError.status);
  }
  // Unknown errors are logged in full here and answered without their message.
  appLogger().error({ err: error }, 'unhandled error in route');
  return json({ error: { code: 'internal', message: 'Internal server error' } }, 500);
}

/**
 * The one wrapper every API route uses: parses params, query and body with zod (unknown fields
 * rejected by strict schemas) and maps every error to a JSON answer, so handlers hold only their logic.
 */
export function route<
  P extends Schema = undefined,
  Q extends Schema = undefined,
  B extends Schema = undefined,
>(spec: RouteSpec<P, Q, B>, handler: (input: RouteInput<P, Q, B>) => Response | Promise<Response>) {
  const handle = async (request: Request, context: NextRouteContext): Promise<Response> => {
    try {
      const params = parseWith<P>(spec.params, await context.params, 'path');
      const url = new URL(request.url);
      // A route without a query schema takes no query parameters: unknown input is refused, not ignored.
      const rawQuery = Object.fromEntries(url.searchParams);
      if (!spec.query) parseWith(noQuery, rawQuery, 'query');
      const query = parseWith<Q>(spec.query, rawQuery, 'query');
      const body = spec.body ? parseBody(spec.body, await readJsonBody(request)) : (undefined as Parsed<B>);
      return await handler({ request, params, query, body, via: authVia(request) });
    } catch (error) {
      return toResponse(error, request.method);
    }
  };
  specs.set(handle, spec);
  return handle;
}
