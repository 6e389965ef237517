import { expect, it } from 'vitest';
import { execute, type Plan, transaction } from '../../src/lib/db/plan';
import {
  appendSessionEntries,
  listSessionSubpaths,
  loadSessionEntries,
  type NewSessionEntry,
  transcriptFacts,
} from '../../src/lib/db/queries/sessions';
import type { Store } from '../../src/lib/db/store';
import { describeOnEachDialect } from '../helpers/stores';

// The transcript queries on both dialects: a line replayed with its uuid is stored once, lines
// without one every time; the lines load in the order stored; the facts a continue shows.

const line = (uuid: string | null, text: string, at: number): NewSessionEntry => ({
  uuid,
  entry: JSON.stringify({ uuid, text }),
  at,
});

describeOnEachDialect('session transcripts', (store) => {
  const run = <T>(plan: (store: Store) => Plan<T>) => execute(store(), plan(store()));
  const append = (sessionId: string, subpath: string, entries: NewSessionEntry[]) =>
    transaction(store(), (tx) => appendSessionEntries(tx, sessionId, subpath, entries));
  const texts = async (sessionId: string, subpath = '') =>
    (await run((s) => loadSessionEntries(s, sessionId, subpath))).map(
      (entry) => (JSON.parse(entry) as { text: string }).text,
    );

  it('stores a line with a uuid once (replays, retries) and a line without one every time', async () => {
    await append('s1', '', [line('u1', 'one', 1), line('u2', 'two', 2), line(null, 'title', 3)]);
    await append('s1', '', [line('u2', 'two again', 4), line('u3', 'three', 5), line(null, 'title', 6)]);
    expect(await texts('s1')).toEqual(['one', 'two', 'title', 'three', 'title']);
    // The same uuid in another transcript is another line.
    await append('s1', 'subagents/agent-a', [line('u1', 'sub one', 7)]);
    expect(await texts('s1', 'subagents/agent-a')).toEqual(['sub one']);
    expect(await texts('s2')).toEqual([]);
  });

  it('appends a batch whole or not at all', async () => {
    const failing = transaction(store(), function* (tx) {
      yield* appendSessionEntries(tx, 'whole', '', [line('w1', 'kept?', 1)]);
      throw new Error('the batch failed');
    });
    await expect(failing).rejects.toThrow('the batch failed');
    expect(await texts('whole')).toEqual([]);
  });

  it('lists the subagent transcripts beside the main one, each once, by name', async () => {
    await append('s3', '', [line('m', 'main', 1)]);
    await append('s3', 'subagents/agent-b', [line('b1', 'b', 2), line('b2', 'b', 3)]);
    await append('s3', 'subagents/agent-a', [line('a1', 'a', 4)]);
    expect(await run((s) => listSessionSubpaths(s, 's3'))).toEqual([
      'subagents/agent-a',
      'subagents/agent-b',
    ]);
    expect(await run((s) => listSessionSubpaths(s, 'none'))).toEqual([]);
  });

  it('tells how much of a session is kept, when its last line was written, and its newest lines', async () => {
    expect(await run((s) => transcriptFacts(s, 'empty'))).toEqual({ entries: 0, lastAt: null, recent: [] });
    const lines = Array.from({ length: 60 }, (_, i) => line(`f${i}`, `line ${i}`, 1_000 + i));
    await append('s4', '', lines);
    await append('s4', 'subagents/agent-a', [line('x', 'not main', 9_999)]);
    const facts = await run((s) => transcriptFacts(s, 's4'));
    expect(facts.entries).toBe(60);
    expect(facts.lastAt).toBe(1_059);
    expect(facts.recent).toHaveLength(50);
    expect(facts.recent[0]).toBe(lines[59]?.entry);
    expect(facts.recent[49]).toBe(lines[10]?.entry);
  });
});
