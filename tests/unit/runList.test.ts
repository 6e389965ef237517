// The list query itself runs on both dialects: tests/dialects/runList.test.ts.
import { describe, expect, it } from 'vitest';
import {
  decodeRunCursor,
  encodeRunCursor,
  listExecutionsQuerySchema,
} from '../../src/lib/contracts/executions';
import { toFtsQuery } from '../../src/lib/db/queries/runList';

describe('run cursors and the list query', () => {
  it('round-trips a cursor and refuses anything else', () => {
    const cursor = { sort: 'duration', key: -1, id: 42 } as const;
    expect(decodeRunCursor(encodeRunCursor(cursor))).toEqual(cursor);
    for (const bad of ['', '42', 'cost:1', 'size:1:2', 'cost:x:2', 'cost:1:2:3']) {
      expect(decodeRunCursor(bad)).toBeUndefined();
    }
  });

  it('turns search words into quoted FTS5 words', () => {
    expect(toFtsQuery('  disk  "space ')).toBe('"disk" "space"');
    expect(toFtsQuery(' " ')).toBeUndefined();
  });

  it.each([
    [{ status: 'done' }, 'status'],
    [{ sort: 'tokens' }, 'sort'],
    [{ cursor: 'nonsense' }, 'cursor'],
    [{ sort: 'cost', cursor: 'created:5:5' }, 'cursor'],
    [{ range: '2d' }, 'range'],
    [{ from: '20', to: '10' }, 'to'],
    [{ limit: '500' }, 'limit'],
  ])('refuses %o, naming %s', (input, field) => {
    const parsed = listExecutionsQuerySchema.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toContain(field);
  });

  it('reads an empty search box as no search', () => {
    expect(listExecutionsQuerySchema.parse({ q: '' }).q).toBeUndefined();
  });
});
