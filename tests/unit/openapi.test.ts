import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { GET as openApiJson } from '../../app/api/openapi.json/route';
import { apiErrorBodySchema, openApiPath } from '../../src/lib/http/openapi';
import { idParam, route } from '../../src/lib/http/route';
import { discoverApiRoutes } from '../helpers/routes';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** The catch-all that answers unknown API paths with a JSON 404: not an operation of the API. */
const UNKNOWN_ROUTE = '/api/[[...path]]';

interface Operation {
  summary?: string;
  security?: unknown[];
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

let document: Document;
beforeAll(async () => {
  const response = await openApiJson(new Request('http://127.0.0.1/api/openapi.json'), {
    params: Promise.resolve({}),
  });
  expect(response.status).toBe(200);
  document = (await response.json()) as Document;
});

const handlers = discoverApiRoutes(ROOT).filter((handler) => handler.template !== UNKNOWN_ROUTE);

describe('GET /api/openapi.json', () => {
  it('is an OpenAPI 3.1 document', () => {
    expect(document.openapi).toBe('3.1.0');
  });

  it.each(handlers.map((h) => [h.method, h.template, h] as const))(
    '%s %s is in it, with a summary, its inputs and its answers',
    (method, template, handler) => {
      const operation = document.paths[openApiPath(template)]?.[method.toLowerCase()];
      expect(operation, `add ${template} to app/api/apiRoutes.ts and give its route() a doc`).toBeDefined();
      if (!operation) return;
      expect(operation.summary, 'give the route() spec a doc.summary').toMatch(/\w/);
      const parameters = operation.parameters ?? [];
      for (const name of handler.dynamic)
        expect(parameters).toContainEqual(expect.objectContaining({ name, in: 'path' }));
      expect(operation.requestBody !== undefined).toBe(handler.inputs.body);
      const [success, ...others] = Object.keys(operation.responses);
      expect(success).toMatch(/^2\d\d$/);
      // A success other than 204 says what it carries.
      if (success !== '204') expect(operation.responses[success ?? '']?.content).toBeDefined();
      expect(others).toEqual(expect.arrayContaining(['400', '401', '403', '500']));
      for (const status of others) {
        expect(operation.responses[status]?.content?.['application/json']?.schema).toEqual({
          $ref: '#/components/schemas/ApiError',
        });
      }
    },
  );

  it('lists the query parameters a route parses', () => {
    const list = document.paths['/api/executions']?.get?.parameters ?? [];
    expect(list.filter((p) => p.in === 'query').map((p) => p.name)).toEqual(
      expect.arrayContaining(['agentId', 'status', 'trigger', 'limit', 'before']),
    );
  });

  it('needs credentials everywhere but sign-in and the one-time approval links', () => {
    const publicOperations = Object.entries(document.paths).flatMap(([p, methods]) =>
      Object.entries(methods).flatMap(([method, op]) =>
        op.security?.length === 0 ? [`${method} ${p}`] : [],
      ),
    );
    expect(publicOperations.sort()).toEqual(['post /api/approval-links/{token}', 'post /api/auth/session']);
  });

  it('documents the error body the route wrapper really answers', async () => {
    const handler = route({ params: idParam }, () => new Response(null, { status: 204 }));
    const response = await handler(new Request('http://127.0.0.1/api/x/abc'), {
      params: Promise.resolve({ id: 'abc' }),
    });
    expect(response.status).toBe(400);
    const body: unknown = await response.json();
    expect(apiErrorBodySchema.safeParse(body).success).toBe(true);
    expect(body).toMatchObject({ error: { code: 'invalid_request', issues: [{ path: 'id' }] } });
  });
});
