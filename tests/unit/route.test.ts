import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError } from '../../src/lib/http/errors';
import { idParam, json, MAX_BODY_BYTES, route } from '../../src/lib/http/route';

const context = (params: Record<string, string> = {}) => ({ params: Promise.resolve(params) });
const post = (body: string) =>
  new Request('http://127.0.0.1/api/x', {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });

const handler = route(
  { params: idParam, body: z.strictObject({ count: z.number().int() }) },
  ({ params, body }) => json({ id: params.id, count: body.count }),
);

async function answer(response: Response) {
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('route wrapper', () => {
  it('hands the handler parsed params and body', async () => {
    expect(await answer(await handler(post('{"count": 2}'), context({ id: '7' })))).toEqual({
      status: 200,
      body: { id: 7, count: 2 },
    });
  });

  it.each([
    ['bad id', '{"count": 2}', 'x', 400, 'invalid_request', 'id'],
    ['wrong type', '{"count": "2"}', '7', 400, 'invalid_request', 'count'],
    ['unknown field', '{"count": 2, "admin": true}', '7', 400, 'invalid_request', '(root)'],
    ['not JSON', '{count', '7', 400, 'invalid_json', undefined],
    ['empty body', '', '7', 400, 'invalid_json', undefined],
    [
      'oversized body',
      `{"count": 1, "pad": "${'x'.repeat(MAX_BODY_BYTES)}"}`,
      '7',
      413,
      'payload_too_large',
      undefined,
    ],
  ])('answers %s with a JSON error', async (_case, body, id, status, code, path) => {
    const { status: got, body: payload } = await answer(await handler(post(body), context({ id })));
    expect(got).toBe(status);
    const error = payload.error as { code: string; issues?: { path: string }[] };
    expect(error.code).toBe(code);
    if (path) expect(error.issues?.map((i) => i.path)).toContain(path);
  });

  it('passes ApiErrors through and hides everything else behind a generic 500', async () => {
    const expected = route({}, () => {
      throw new ApiError(409, 'conflict', 'Name taken');
    });
    expect(await answer(await expected(new Request('http://127.0.0.1/'), context()))).toEqual({
      status: 409,
      body: { error: { code: 'conflict', message: 'Name taken' } },
    });
    const broken = route({}, () => {
      throw new Error('SQLITE_CORRUPT at /secret/path');
    });
    const { status, body } = await answer(await broken(new Request('http://127.0.0.1/'), context()));
    expect(status).toBe(500);
    expect(body).toEqual({ error: { code: 'internal', message: 'Internal server error' } });
  });

  it('refuses query parameters a route does not take', async () => {
    const noQuery = route({}, () => json({ ok: true }));
    const response = await noQuery(new Request('http://127.0.0.1/api/x?admin=1'), context());
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: 'invalid_request', issues: [{ path: '(root)' }] },
    });
    expect((await noQuery(new Request('http://127.0.0.1/api/x'), context())).status).toBe(200);
  });
});

describe('route wrapper, optional body', () => {
  const optional = route({ body: z.strictObject({ input: z.string().optional() }).optional() }, ({ body }) =>
    json({ input: body?.input ?? null }),
  );

  it('takes an empty body when the schema allows none, and still parses one that is sent', async () => {
    expect(await answer(await optional(post(''), context()))).toEqual({ status: 200, body: { input: null } });
    expect(await answer(await optional(post('{"input": "x"}'), context()))).toEqual({
      status: 200,
      body: { input: 'x' },
    });
    expect((await optional(post('{"other": 1}'), context())).status).toBe(400);
  });
});
