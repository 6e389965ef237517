import os from 'node:os';
import { Ajv2020 } from 'ajv/dist/2020';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUpTestStack } from '../helpers/stack';

const stack = setUpTestStack({ beforeAll, afterAll });

type Document = { openapi: string; paths: Record<string, Record<string, unknown>> };
let document: Document;
const ajv = new Ajv2020({ strict: false, allErrors: true });

beforeAll(async () => {
  const { status, body } = await stack.api.call('GET', '/api/openapi.json');
  expect(status).toBe(200);
  document = body as Document;
  ajv.addSchema(document, 'openapi');
});

/** The schema the document gives for a JSON body, as a JSON pointer into it. */
function documented(path: string, method: string, status: number) {
  const pointer = [
    'paths',
    path,
    method,
    'responses',
    String(status),
    'content',
    'application/json',
    'schema',
  ]
    .map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1'))
    .join('/');
  return ajv.compile({ $ref: `openapi#/${pointer}` });
}

/** Asserts a real answer is what the document says this route answers with this status. */
async function expectAsDocumented(method: string, url: string, path: string, body?: unknown, status = 200) {
  const answer = await stack.api.call(method.toUpperCase(), url, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  const validate = documented(path, method, status);
  expect(validate(answer.body), `${method} ${url}: ${ajv.errorsText(validate.errors)}`).toBe(true);
}

describe('GET /api/openapi.json on the running server', () => {
  it('needs the access token, like every other API route', async () => {
    const response = await fetch(`${stack.app.url}/api/openapi.json`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('is an OpenAPI 3.1 document of the API', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/agents', '/api/executions/{id}/events', '/api/openapi.json']),
    );
  });

  it.each([
    ['/api/agents', '/api/agents'],
    ['/api/settings', '/api/settings'],
    ['/api/system', '/api/system'],
    ['/api/costs', '/api/costs'],
    ['/api/schedules', '/api/schedules'],
    ['/api/workflows', '/api/workflows'],
    ['/api/executions?limit=5', '/api/executions'],
    ['/api/health-reports/latest', '/api/health-reports/latest'],
    ['/api/metrics?range=1h', '/api/metrics'],
    ['/api/notification-deliveries', '/api/notification-deliveries'],
    ['/api/schedules/preview?cronExpression=0%209%20*%20*%201-5&timezone=UTC', '/api/schedules/preview'],
    [`/api/workers/load?host=${encodeURIComponent(os.hostname())}&range=24h`, '/api/workers/load'],
  ])('GET %s answers as the document says', async (url, path) => {
    await expectAsDocumented('get', url, path);
  });

  it('describes what creating and reading an agent answers, and the error body of a bad one', async () => {
    const input = { name: 'Documented', model: 'claude-sonnet-4-5', defaultPrompt: 'Hello.' };
    await expectAsDocumented('post', '/api/agents', '/api/agents', input, 201);
    await expectAsDocumented('post', '/api/agents', '/api/agents', { ...input, maxTurns: 'ten' }, 400);
    await expectAsDocumented('get', '/api/agents/1', '/api/agents/{id}');
    await expectAsDocumented('get', '/api/agents/999999', '/api/agents/{id}', undefined, 404);
  });
});
