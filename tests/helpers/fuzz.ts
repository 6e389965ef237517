// Building blocks for the fuzz test: a seeded PRNG, route discovery, generators of malformed
// bodies, query strings and WebSocket frames (each invalid by construction, checked with the real
// zod schemas), and an HTTP client that sends exact bytes with an exact Content-Length.
import http from 'node:http';
import { z } from 'zod';
import { idParam, MAX_BODY_BYTES } from '../../src/lib/http/route';
import { clientFrameSchema, MAX_CLIENT_FRAME_BYTES } from '../../src/lib/websocket/protocol';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** mulberry32: tiny, fast, good enough to make every failure reproducible from its seed. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** 0 ≤ n < maxExclusive */
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)] as T;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy;
  }
}

// ---------------------------------------------------------------------------------------------
// Routes

// ---------------------------------------------------------------------------------------------
// Path parameters

const enc = encodeURIComponent;

/** Malformed id segments, percent-encoded as they go on the wire. */
export const MALFORMED_IDS: readonly string[] = [
  '0',
  '-1',
  '-0',
  '1.5',
  '1.0',
  '1.',
  '.5',
  'abc',
  '%00',
  '1%00',
  '99999999999999999999',
  '1000000000000000',
  '9007199254740993',
  '1e3',
  '1E3',
  '00',
  '01',
  '+1',
  '%2B1',
  '0x1',
  '0b1',
  '0o7',
  '1n',
  '1_000',
  'Infinity',
  '-Infinity',
  'NaN',
  'null',
  'undefined',
  'true',
  '%20',
  '%201',
  '1%20',
  '%091',
  '1%0A',
  '%0D%0A1',
  enc('１'),
  enc('١'),
  enc('日本語'),
  enc('🙂'),
  enc('\u200b1'),
  enc('1\u00a0'),
  '%5B1%5D',
  enc('{"id":1}'),
  enc("1' OR '1'='1"),
  enc('1;DROP TABLE agent_configurations'),
  enc('<script>alert(1)</script>'),
  '..%2F..%2Fetc',
  '..%2F..%2Fetc%2Fpasswd',
  '1%2F2',
  '%5C..%5C1',
  '%25',
  '%2531',
  '%252e%252e',
  'a'.repeat(3_000),
  '9'.repeat(4_000),
  enc('é'.repeat(500)),
];

/**
 * Segments Next cannot route as an id: percent-encoding that does not decode, and dot segments
 * (the request no longer addresses an id). Under /api they still deserve a JSON error.
 */
export const UNROUTABLE_IDS: readonly string[] = [
  '%',
  '%FF',
  '%E0%A4%A',
  '%C0%AF',
  '.',
  '..',
  '%2e',
  '%2E%2E',
];

/** Ids of the right shape that no row has (the seed creates agent 1 and no executions). */
export const UNKNOWN_IDS: readonly string[] = ['987654', '2', '123456789012345', '999999999999999'];

/** True when the route's `[id]` (decoded as Next decodes it) can never pass idParam. */
export function isMalformedIdSegment(segment: string): boolean {
  if (/^(?:\.|\.\.|%2e|%2e%2e|\.%2e|%2e\.)$/i.test(segment)) return true;
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return true;
  }
  return !idParam.safeParse({ id: decoded }).success && !idParam.safeParse({ id: segment }).success;
}

// ---------------------------------------------------------------------------------------------
// Bodies

export interface GeneratedBody {
  label: string;
  bytes: Buffer;
  /** Send without Content-Length, as a chunked body. */
  chunked: boolean;
}

export const BODY_FAMILIES = [
  'fields',
  'fields',
  'fields',
  'fields',
  'topLevel',
  'nonJson',
  'truncated',
  'invalidUtf8',
  'duplicateKey',
  'protoKey',
  'deepNest',
  'empty',
  'oversize',
  'trailingGarbage',
] as const;
export type BodyFamily = (typeof BODY_FAMILIES)[number];

/** Families whose bodies no JSON route can accept, whatever its schema. */
const SCHEMA_FREE_FAMILIES: readonly BodyFamily[] = ['nonJson', 'truncated', 'empty', 'oversize'];

export const WRONG_CONTENT_TYPES: readonly (string | null)[] = [
  'text/plain',
  'text/plain;charset=UTF-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzz',
  'application/xml',
  'application/octet-stream',
  'application/json; charset=utf-16',
  null,
];

const WRONG_TYPE_POOL: readonly Json[] = [
  0,
  1,
  -1,
  1.5,
  '',
  'text',
  '1',
  'true',
  [],
  [1],
  ['Bash'],
  [null],
  {},
  { a: 1 },
  { value: '1' },
  null,
  true,
  false,
];

const BAD_NUMBERS: readonly Json[] = [
  0,
  -1,
  -0.5,
  1.5,
  2.000001,
  1e308,
  -1e308,
  2 ** 53,
  2 ** 53 + 2,
  201,
  86_401,
  9,
  1e21,
  -2_147_483_648,
  'NaN',
  'Infinity',
  '-Infinity',
  '10',
  '1e3',
];

const BAD_STRINGS: readonly string[] = [
  '',
  ' ',
  '   \t\n  ',
  '\u0000',
  'relative/path',
  './here',
  'not a tool',
  'bash',
  'Bash(',
  'Bash()',
  'mcp__',
  'Model With Spaces!',
  '-leading-dash',
  'SUBSCRIBE',
  'executionz',
  'Execution',
  '*',
  '日本語',
  '\u202e',
];

const LONG_STRING_LENGTHS = [101, 513, 2_001, 4_097, 50_001, 60_000] as const;

const EXTRA_KEYS: readonly string[] = [
  'extra',
  'id',
  'builtin',
  'builtinKey',
  'createdAt',
  'updatedAt',
  'deletedAt',
  'NAME',
  'Name',
  'name ',
  '',
  'constructor',
  'toString',
  'hasOwnProperty',
  'agent_id',
  'agentID',
  '$where',
  'a.b',
  '0',
  'status',
  'topic2',
];

const NON_JSON: readonly string[] = [
  'hello',
  'undefined',
  'NaN',
  'Infinity',
  "{'agentId': 1}",
  '{agentId: 1}',
  '{"agentId": 1,}',
  '{"agentId": 01}',
  '{"agentId": 0x1}',
  '{"agentId": .5}',
  '{"agentId": +1}',
  '{"a": 1} {"b": 2}',
  '{"a": 1} // comment',
  '/* c */ {"a": 1}',
  '{"a"}',
  '{:}',
  '[1, 2',
  '"unterminated',
  '"\\x41"',
  '"\\u12"',
  'agentId=1&prompt=hi',
  '<agent><name>x</name></agent>',
  '--fuzz\r\nContent-Disposition: form-data; name="agentId"\r\n\r\n1\r\n--fuzz--',
  'nul\u0000l',
  '\u0000',
  'tru',
  '{"a":1}\u0000',
];

function typeOf(value: Json | undefined): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

function clone<T extends Json>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function longString(rng: Rng): string {
  const length = rng.pick(LONG_STRING_LENGTHS);
  return rng
    .pick(['x', 'é', '🙂', ' ', 'Bash'])
    .repeat(length)
    .slice(0, length * 2);
}

function nested(rng: Rng, depth: number): Json {
  let value: Json = rng.pick<Json>([1, 'x', null, true, {}]);
  for (let i = 0; i < depth; i++) value = rng.chance(0.5) ? [value] : { n: value };
  return value;
}

/** Keys a mutation may target: the schema's own fields (if it is an object) plus the example's. */
export function schemaKeys(schema: z.ZodType | undefined, example: JsonObject): string[] {
  const own = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  return [...new Set([...own, ...Object.keys(example)])];
}

/** Breaks 1–3 fields of a valid object: wrong types, bad numbers and strings, extra and missing keys. */
export function mutateFields(rng: Rng, base: JsonObject, keys: readonly string[]) {
  let value = clone(base);
  const ops: string[] = [];
  const count = 1 + rng.int(3);
  for (let i = 0; i < count; i++) {
    const key = rng.pick(keys);
    const op = rng.pick([
      'wrongType',
      'badNumber',
      'badString',
      'longString',
      'extraField',
      'missingField',
      'deepNest',
      'arrayOf',
    ] as const);
    switch (op) {
      case 'wrongType': {
        const original = typeOf(value[key]);
        value[key] = rng.pick(WRONG_TYPE_POOL.filter((candidate) => typeOf(candidate) !== original));
        break;
      }
      case 'badNumber':
        value[key] = rng.pick(BAD_NUMBERS);
        break;
      case 'badString':
        value[key] = rng.pick(BAD_STRINGS);
        break;
      case 'longString':
        value[key] = longString(rng);
        break;
      case 'extraField': {
        const extra = rng.pick(EXTRA_KEYS);
        value[extra] = rng.pick(WRONG_TYPE_POOL);
        ops.push(`extra(${JSON.stringify(extra)})`);
        continue;
      }
      case 'missingField':
        value = Object.fromEntries(Object.entries(value).filter(([k]) => k !== key));
        break;
      case 'deepNest':
        value[key] = nested(rng, 10 + rng.int(300));
        break;
      case 'arrayOf':
        value[key] = [value[key] ?? null, value[key] ?? null];
        break;
    }
    ops.push(`${op}(${key})`);
  }
  return { value, ops };
}

function insertBytes(rng: Rng, text: string, bytes: readonly number[]): Buffer {
  const source = Buffer.from(text);
  const at = rng.int(source.length + 1);
  return Buffer.concat([source.subarray(0, at), Buffer.from(bytes), source.subarray(at)]);
}

const INVALID_UTF8: readonly (readonly number[])[] = [
  [0xff],
  [0xfe, 0xff],
  [0xc3],
  [0xe2, 0x82],
  [0xed, 0xa0, 0x80],
  [0xc0, 0xaf],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0x80, 0x80],
];

/** One malformed body in the given family; the caller checks it with isRejectedBody. */
function bodyCandidate(
  rng: Rng,
  family: BodyFamily,
  schema: z.ZodType | undefined,
  valid: JsonObject | undefined,
): GeneratedBody {
  const base = valid ?? { a: 1 };
  const keys = schemaKeys(schema, base);
  const validText = JSON.stringify(base);
  const broken = () => mutateFields(rng, base, keys);
  const of = (label: string, text: string | Buffer, chunked = false): GeneratedBody => ({
    label,
    bytes: typeof text === 'string' ? Buffer.from(text) : text,
    chunked,
  });
  switch (family) {
    case 'fields': {
      const { value, ops } = broken();
      return of(`fields ${ops.join(' ')}`, JSON.stringify(value));
    }
    case 'topLevel': {
      const root = rng.pick<Json>([[], [base], [base, base], 'text', 1, -1, 0, null, true, false, '']);
      return of(`topLevel ${typeOf(root)}`, JSON.stringify(root));
    }
    case 'nonJson':
      return of('nonJson', rng.pick(NON_JSON));
    case 'truncated': {
      const text = rng.chance(0.5) ? validText : JSON.stringify(broken().value);
      return of('truncated', text.slice(0, 1 + rng.int(Math.max(1, text.length - 1))));
    }
    case 'invalidUtf8': {
      const text = rng.chance(0.3)
        ? rng.pick(NON_JSON)
        : rng.chance(0.5)
          ? validText
          : JSON.stringify(broken().value);
      return of('invalidUtf8', insertBytes(rng, text, rng.pick(INVALID_UTF8)));
    }
    case 'duplicateKey': {
      // JSON.parse keeps the last duplicate: make that one wrong.
      const key = rng.pick(keys);
      const bad = rng.pick<Json>([...WRONG_TYPE_POOL, ...BAD_NUMBERS]);
      return of(
        `duplicateKey(${key})`,
        `${validText.slice(0, -1)},${JSON.stringify(key)}:${JSON.stringify(bad)}}`,
      );
    }
    case 'protoKey': {
      const key = rng.pick(['__proto__', 'constructor', 'prototype']);
      const payload = rng.pick([`{"${keys[0] ?? 'a'}":1}`, '{"polluted":true}', 'null', '[]', '1']);
      const text = rng.chance(0.5)
        ? `{"${key}":${payload},${validText.slice(1)}`
        : `${validText.slice(0, -1)},"${key}":${payload}}`;
      return of(`protoKey(${key})`, text);
    }
    case 'deepNest': {
      const depth = rng.pick([100, 1_000, 10_000, 50_000]);
      const open = rng.chance(0.5) ? '[' : '{"a":';
      const close = open === '[' ? ']' : '}';
      const deep = `${open.repeat(depth)}1${close.repeat(depth)}`;
      const key = rng.pick(keys);
      return of(
        `deepNest(${depth})`,
        rng.chance(0.5)
          ? deep
          : `${validText.slice(0, -1)},${JSON.stringify(key)}:${deep}}`.replace(/^\{,/, '{'),
      );
    }
    case 'empty':
      return of('empty', rng.pick(['', ' ', '\n', '\r\n\t ', '\u00a0', '\ufeff']));
    case 'oversize': {
      // Valid but for its size, padded past the limit, or one huge string field.
      const padding = MAX_BODY_BYTES + 1 + rng.int(4_096);
      const text = rng.chance(0.5)
        ? `${validText}${' '.repeat(padding)}`
        : JSON.stringify({ ...base, [rng.pick(keys)]: rng.pick(['x', 'é']).repeat(padding) });
      const chunked = rng.chance(0.5);
      return of(`oversize(${chunked ? 'chunked' : 'declared'})`, text, chunked);
    }
    case 'trailingGarbage': {
      const text = rng.chance(0.5) ? validText : JSON.stringify(broken().value);
      return of('trailingGarbage', `${text}${rng.pick([',', '}', ']', 'x', '{}', '"', '\\', ' 1'])}`);
    }
  }
}

/** Whether the server must refuse these bytes before its handler: too big, empty, not JSON, or not the schema. */
export function isRejectedBody(bytes: Buffer, schema: z.ZodType | undefined): boolean {
  if (bytes.length > MAX_BODY_BYTES) return true;
  // Request.text() decodes exactly so: UTF-8, invalid bytes replaced, a leading BOM dropped.
  const text = new TextDecoder().decode(bytes);
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) return true;
  if (text.trim() === '') return true;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return true;
  }
  return schema ? !schema.safeParse(value).success : false;
}

/** A body in the family that the schema refuses (drawing again when a mutation happened to stay valid). */
export function generateBody(
  rng: Rng,
  family: BodyFamily,
  schema: z.ZodType | undefined,
  valid: JsonObject | undefined,
): GeneratedBody {
  const effective = schema ? family : SCHEMA_FREE_FAMILIES[rng.int(SCHEMA_FREE_FAMILIES.length)];
  for (let attempt = 0; attempt < 200; attempt++) {
    const candidate = bodyCandidate(rng, effective ?? 'nonJson', schema, valid);
    if (isRejectedBody(candidate.bytes, schema)) return candidate;
  }
  throw new Error(`could not generate an invalid ${family} body`);
}

// ---------------------------------------------------------------------------------------------
// Query strings

const BAD_QUERY_VALUES: readonly string[] = [
  '0',
  '-1',
  '-0',
  '1.5',
  'abc',
  '',
  ' ',
  '1e999',
  '-1e999',
  'Infinity',
  'NaN',
  '9'.repeat(20),
  '9007199254740993',
  '10001',
  '101',
  'true',
  'null',
  '[]',
  '{}',
  '1,2',
  '1;2',
  '\u0000',
  '１',
  'COMPLETED',
  'Running',
  'complete',
  'running,failed',
  ' running',
  'budget-exceeded',
  '日本語',
  '%',
  'a'.repeat(2_000),
];

const UNKNOWN_QUERY_KEYS: readonly string[] = [
  'foo',
  'agentid',
  'AgentId',
  'limit[]',
  'status[]',
  'agentId[0]',
  'before.x',
  // Not '__proto__': Next drops that key before the route sees the query (harmless, and not ours).
  'constructor',
  'offset',
  'page',
  'q',
  'sort',
  '',
  ' ',
  'k'.repeat(1_000),
];

const RAW_QUERIES: readonly string[] = [
  '%',
  '%%',
  '%zz',
  '&&&',
  '=',
  '==',
  '=1',
  '&=&',
  '%3D',
  '%26',
  '?',
  '??x=1',
];

export interface GeneratedQuery {
  label: string;
  /** Without the leading "?". */
  query: string;
}

const queryPair = (key: string, value: string) => `${enc(key)}=${enc(value)}`;

function queryCandidate(rng: Rng, valid: Record<string, string>, keys: readonly string[]): GeneratedQuery {
  const kept = Object.entries(valid).filter(() => rng.chance(0.5));
  const pairs = kept.map(([k, v]) => queryPair(k, v));
  const family = rng.pick(['badValue', 'badValue', 'unknownKey', 'repeatedKey', 'raw', 'rawValue'] as const);
  const key = rng.pick(keys);
  switch (family) {
    case 'badValue': {
      const value = rng.pick(BAD_QUERY_VALUES);
      pairs.splice(rng.int(pairs.length + 1), 0, queryPair(key, value));
      return { label: `badValue(${key})`, query: pairs.join('&') };
    }
    case 'unknownKey': {
      const unknown = rng.pick(UNKNOWN_QUERY_KEYS);
      pairs.splice(rng.int(pairs.length + 1), 0, queryPair(unknown, rng.pick(['1', '', 'x'])));
      return { label: `unknownKey(${unknown.slice(0, 20)})`, query: pairs.join('&') };
    }
    case 'repeatedKey': {
      // The server keeps the last value of a repeated key: make the last one wrong.
      const good = valid[key] ?? '1';
      pairs.push(queryPair(key, good), queryPair(key, rng.pick(BAD_QUERY_VALUES)));
      return { label: `repeatedKey(${key})`, query: pairs.join('&') };
    }
    case 'raw': {
      pairs.splice(rng.int(pairs.length + 1), 0, rng.pick(RAW_QUERIES));
      return { label: 'raw', query: pairs.join('&') };
    }
    case 'rawValue': {
      const value = rng.pick(['%', '%FF', '%00', '%E0%A4%A', '+', '%2B', '1%00', '%20%20', '1+', `${key}=1`]);
      pairs.push(`${enc(key)}=${value}`);
      return { label: `rawValue(${key})`, query: pairs.join('&') };
    }
  }
}

/** What the route wrapper parses: Object.fromEntries(new URL(request.url).searchParams). */
export function isRejectedQuery(query: string, schema: z.ZodType): boolean {
  return !schema.safeParse(Object.fromEntries(new URLSearchParams(query))).success;
}

export function generateQuery(rng: Rng, schema: z.ZodType, valid: Record<string, string>): GeneratedQuery {
  const keys = schemaKeys(schema, valid);
  for (let attempt = 0; attempt < 200; attempt++) {
    const candidate = queryCandidate(rng, valid, keys);
    if (isRejectedQuery(candidate.query, schema)) return candidate;
  }
  throw new Error('could not generate an invalid query');
}

// ---------------------------------------------------------------------------------------------
// WebSocket frames

/** One valid frame of every client frame type (executionId of an execution that does not exist). */
export const VALID_FRAMES: Readonly<Record<string, JsonObject>> = {
  subscribeExecution: { type: 'subscribe', topic: 'execution', executionId: 987654, afterSeq: 0 },
  subscribeExecutions: { type: 'subscribe', topic: 'executions' },
  unsubscribeExecution: { type: 'unsubscribe', topic: 'execution', executionId: 987654 },
  unsubscribeExecutions: { type: 'unsubscribe', topic: 'executions' },
  ping: { type: 'ping', id: 1 },
};

const FRAME_FAMILIES = [
  'fields',
  'fields',
  'fields',
  'badId',
  'unknownType',
  'nonJson',
  'primitive',
  'array',
  'nested',
  'empty',
  'truncated',
  'duplicateKey',
  'large',
] as const;

const BAD_IDS: readonly Json[] = [
  -1,
  0,
  -0.5,
  1.5,
  1e308,
  2 ** 53,
  -(2 ** 53),
  1e21,
  '1',
  '987654',
  null,
  [1],
  { id: 1 },
  true,
];

export interface GeneratedFrame {
  label: string;
  text: string;
}

function frameCandidate(rng: Rng, baseName: string, base: JsonObject): GeneratedFrame {
  const keys = [...new Set([...Object.keys(base), 'type', 'topic', 'executionId', 'afterSeq', 'id'])];
  const text = JSON.stringify(base);
  const family = rng.pick(FRAME_FAMILIES);
  const label = (detail: string) => `${baseName} ${family} ${detail}`.trim();
  switch (family) {
    case 'fields': {
      const { value, ops } = mutateFields(rng, base, keys);
      return { label: label(ops.join(' ')), text: JSON.stringify(value) };
    }
    case 'badId': {
      const key = rng.pick(['executionId', 'afterSeq', 'id']);
      return { label: label(key), text: JSON.stringify({ ...base, [key]: rng.pick(BAD_IDS) }) };
    }
    case 'unknownType': {
      const type = rng.pick([
        'SUBSCRIBE',
        'Subscribe',
        'subscribe ',
        'sub',
        'pong',
        'hello',
        'error',
        'subscribed',
        'execution.events',
        'execution.updated',
        '',
        'unsubscribe_all',
        'cancel',
        'start',
      ]);
      return { label: label(type), text: JSON.stringify({ ...base, type }) };
    }
    case 'nonJson':
      return { label: label(''), text: rng.pick([...NON_JSON, 'subscribe', 'ping', '{', '}', '{"type":']) };
    case 'primitive':
      return {
        label: label(''),
        text: rng.pick(['null', '0', '1', '-1', '"ping"', '"subscribe"', 'true', 'false', '1e999']),
      };
    case 'array':
      return {
        label: label(''),
        text: rng.pick(['[]', `[${text}]`, `[${text},${text}]`, '["ping"]', '[null]']),
      };
    case 'nested': {
      const depth = rng.pick([10, 100, 1_000, 5_000]);
      return {
        label: label(String(depth)),
        text: rng.chance(0.5)
          ? `${'['.repeat(depth)}${']'.repeat(depth)}`
          : JSON.stringify({ ...base, executionId: nested(rng, Math.min(depth, 500)) }),
      };
    }
    case 'empty':
      return { label: label(''), text: rng.pick(['', ' ', '\n', '\t\r\n']) };
    case 'truncated':
      return { label: label(''), text: text.slice(0, 1 + rng.int(text.length - 1)) };
    case 'duplicateKey': {
      const key = rng.pick(keys);
      return {
        label: label(key),
        text: `${text.slice(0, -1)},${JSON.stringify(key)}:${JSON.stringify(rng.pick(BAD_IDS))}}`,
      };
    }
    case 'large': {
      // Big but under the frame limit: still answered, not closed.
      const size = MAX_CLIENT_FRAME_BYTES - 512 - rng.int(4_096);
      return {
        label: label(String(size)),
        text: rng.chance(0.5)
          ? JSON.stringify({ ...base, pad: 'x'.repeat(size) })
          : JSON.stringify({ ...base, type: 'x'.repeat(size) }),
      };
    }
  }
}

export function isRejectedFrame(text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return true;
  }
  return !clientFrameSchema.safeParse(value).success;
}

/** A malformed frame mutated from the named frame type. */
export function generateFrame(rng: Rng, baseName: string): GeneratedFrame {
  const base = VALID_FRAMES[baseName];
  if (!base) throw new Error(`no frame type ${baseName}`);
  for (let attempt = 0; attempt < 200; attempt++) {
    const candidate = frameCandidate(rng, baseName, base);
    // Past the limit the socket is closed (1009) instead of answered: that case is sent on its own.
    if (Buffer.byteLength(candidate.text) > MAX_CLIENT_FRAME_BYTES) continue;
    if (isRejectedFrame(candidate.text)) return candidate;
  }
  throw new Error(`could not generate an invalid ${baseName} frame`);
}

// ---------------------------------------------------------------------------------------------
// HTTP

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface ExactRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Stream the body with Transfer-Encoding: chunked instead of a Content-Length. */
  chunked?: boolean;
}

/**
 * Sends exactly these bytes on a fresh connection. Unlike rawRequest, a GET or DELETE body gets a
 * Content-Length (Node's client would send it unframed), and a body can be any bytes.
 */
export function sendExact(baseUrl: string, request: ExactRequest, timeoutMs = 20_000): Promise<HttpAnswer> {
  const url = new URL(baseUrl);
  const headers: Record<string, string> = { ...request.headers };
  if (request.body !== undefined) {
    // A big body kept alive: a server that answers before reading it drains the rest and the
    // answer arrives; with `close` it may close under the client's write (EPIPE) before the answer
    // is read. Only big ones: draining every small body costs the run minutes on a loaded machine.
    if (request.body.length > BIG_BODY_BYTES) headers.connection ??= 'keep-alive';
    if (request.chunked) headers['transfer-encoding'] = 'chunked';
    else headers['content-length'] = String(request.body.length);
  }
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.path,
        headers,
        agent: false,
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
          // Kept alive (a big body, below), the connection is closed here, not left for another request.
          req.destroy();
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    // The server may answer (413) and close before reading a big body: the answer is what counts.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (request.body !== undefined && request.body.length > 0) req.write(request.body);
    req.end();
  });
}

/** Bodies above this are sent on a kept-alive connection (see the request above). */
const BIG_BODY_BYTES = 64 * 1024;

/** `{error: {code, message}}`, the shape of every API error. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string().min(1),
    message: z.string().min(1),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

/** A stack frame ("at fn (/path/file.js:1:2)"), a source path, or a SQLite error in text sent to a client. */
export function leaksInternals(text: string): boolean {
  return (
    /\bat\s+(?:\S+\s+\()?(?:file:\/\/)?(?:\/|[A-Za-z]:\\)\S*:\d+/.test(text) ||
    /\/(?:work|home|usr|tmp)\/\S+\.(?:[cm]?js|ts|tsx)\b/.test(text) ||
    /node_modules|\.next\/server/.test(text) ||
    /sqlite/i.test(text)
  );
}

/** Runs tasks with at most `limit` in flight. */
export async function inPool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const index = next++;
      const item = items[index];
      if (index >= items.length || item === undefined) return;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
