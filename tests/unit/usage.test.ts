import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { UsageAccumulator } from '../../src/lib/claude/usage';

// Shaped like the SDK's messages; only the fields the accumulator reads matter here.
const streamEvent = (event: unknown, parent: string | null = null) =>
  ({
    type: 'stream_event',
    event,
    parent_tool_use_id: parent,
    uuid: 'u',
    session_id: 's',
  }) as unknown as SDKMessage;

const assistantBlock = (id: string, model: string, usage: Record<string, number>) =>
  ({
    type: 'assistant',
    message: { id, model, content: [{ type: 'text', text: 'x' }], usage },
    parent_tool_use_id: null,
    uuid: 'u',
    session_id: 's',
  }) as unknown as SDKMessage;

const start = (id: string, model: string, usage: Record<string, unknown>) =>
  streamEvent({ type: 'message_start', message: { id, model, usage } });
const delta = (usage: Record<string, number>, parent: string | null = null) =>
  streamEvent({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage }, parent);

describe('UsageAccumulator', () => {
  it('counts each response once, taking its final figures from message_delta', () => {
    const usage = new UsageAccumulator();
    usage.observe(
      start('m1', 'claude-sonnet-4-5', { input_tokens: 100, output_tokens: 1, cache_read_input_tokens: 50 }),
    );
    // The SDK repeats the start-of-stream usage on every content block of the same message.
    usage.observe(assistantBlock('m1', 'claude-sonnet-4-5', { input_tokens: 100, output_tokens: 1 }));
    usage.observe(assistantBlock('m1', 'claude-sonnet-4-5', { input_tokens: 100, output_tokens: 1 }));
    usage.observe(delta({ input_tokens: 100, output_tokens: 42, cache_read_input_tokens: 50 }));
    expect(usage.totals()).toEqual({
      inputTokens: 100,
      outputTokens: 42,
      cacheCreation5mTokens: 0,
      cacheCreation1hTokens: 0,
      cacheReadTokens: 50,
    });
    expect(usage.responseCount).toBe(1);
  });

  it('attributes responses to their own model and splits cache writes by lifetime', () => {
    const usage = new UsageAccumulator();
    usage.observe(
      start('a', 'claude-sonnet-4-5', {
        input_tokens: 10,
        output_tokens: 1,
        cache_creation_input_tokens: 300,
        cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 },
      }),
    );
    usage.observe(delta({ output_tokens: 20 }));
    usage.observe(
      start('b', 'claude-haiku-4-5', { input_tokens: 5, output_tokens: 1, cache_creation_input_tokens: 40 }),
    );
    usage.observe(delta({ output_tokens: 7 }));
    expect(usage.byModel()).toEqual([
      {
        model: 'claude-sonnet-4-5',
        inputTokens: 10,
        outputTokens: 20,
        cacheCreation5mTokens: 100,
        cacheCreation1hTokens: 200,
        cacheReadTokens: 0,
      },
      {
        model: 'claude-haiku-4-5',
        inputTokens: 5,
        outputTokens: 7,
        cacheCreation5mTokens: 40,
        cacheCreation1hTokens: 0,
        cacheReadTokens: 0,
      },
    ]);
  });

  it('keeps a subagent stream apart from the main one', () => {
    const usage = new UsageAccumulator();
    usage.observe(start('main', 'claude-sonnet-4-5', { input_tokens: 10, output_tokens: 1 }));
    usage.observe(
      streamEvent(
        {
          type: 'message_start',
          message: { id: 'sub', model: 'claude-haiku-4-5', usage: { input_tokens: 3, output_tokens: 1 } },
        },
        'tool-1',
      ),
    );
    usage.observe(delta({ output_tokens: 9 }, 'tool-1'));
    usage.observe(delta({ output_tokens: 30 }));
    expect(usage.byModel().map((m) => [m.model, m.outputTokens])).toEqual([
      ['claude-sonnet-4-5', 30],
      ['claude-haiku-4-5', 9],
    ]);
  });

  it('reports whether the totals changed, and ignores synthetic error messages', () => {
    const usage = new UsageAccumulator();
    expect(usage.observe(start('m', 'claude-sonnet-4-5', { input_tokens: 1, output_tokens: 1 }))).toBe(true);
    expect(
      usage.observe(assistantBlock('m', 'claude-sonnet-4-5', { input_tokens: 1, output_tokens: 1 })),
    ).toBe(false);
    expect(usage.observe(assistantBlock('e', '<synthetic>', { input_tokens: 0, output_tokens: 0 }))).toBe(
      false,
    );
    expect(usage.responseCount).toBe(1);
  });
});
