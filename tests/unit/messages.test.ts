import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { MessageTranslator, summarize } from '../../src/lib/claude/messages';

const sdk = (message: Record<string, unknown>) => message as unknown as SDKMessage;

describe('MessageTranslator', () => {
  it('turns the init message into a system step naming the credential source, never a credential', () => {
    const out = new MessageTranslator().translate(
      sdk({
        type: 'system',
        subtype: 'init',
        session_id: 's1',
        model: 'claude-sonnet-4-5',
        tools: ['Bash'],
        cwd: '/work',
        permissionMode: 'dontAsk',
        apiKeySource: 'ANTHROPIC_API_KEY',
        claude_code_version: '2.1.331',
        slash_commands: ['a'],
      }),
    );
    expect(out.steps).toEqual([
      expect.objectContaining({
        kind: 'system',
        summary: 'Session started · claude-sonnet-4-5 · tools: Bash · credential: ANTHROPIC_API_KEY',
      }),
    ]);
    expect(out.steps[0]?.payload).not.toHaveProperty('slash_commands');
  });

  it('pairs a tool call with its result and logs every output line', () => {
    const translator = new MessageTranslator();
    const call = translator.translate(
      sdk({
        type: 'assistant',
        message: {
          id: 'm',
          content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'seq 1 3' } }],
        },
      }),
    );
    expect(call.steps[0]).toMatchObject({
      kind: 'tool_use',
      toolName: 'Bash',
      toolUseId: 't1',
      summary: 'Bash: seq 1 3',
    });
    expect(call.logs).toEqual([{ level: 'info', text: '$ Bash: seq 1 3' }]);

    const result = translator.translate(
      sdk({
        type: 'user',
        message: {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 't1', content: '1\n2\n3\n' }],
        },
      }),
    );
    expect(result.steps[0]).toMatchObject({
      kind: 'tool_result',
      toolName: 'Bash',
      toolUseId: 't1',
      isError: false,
    });
    expect(result.logs.map((l) => l.text)).toEqual(['1', '2', '3']);
  });

  it('marks failed tool results and API retries as errors', () => {
    const translator = new MessageTranslator();
    const failed = translator.translate(
      sdk({
        type: 'user',
        message: {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'x',
              is_error: true,
              content: [{ type: 'text', text: 'denied' }],
            },
          ],
        },
      }),
    );
    expect(failed.steps[0]).toMatchObject({ isError: true, summary: 'denied', toolName: null });
    expect(failed.logs).toEqual([{ level: 'error', text: 'denied' }]);

    const retry = translator.translate(
      sdk({
        type: 'system',
        subtype: 'api_retry',
        attempt: 3,
        max_retries: 10,
        retry_delay_ms: 8000,
        error_status: 429,
        error: 'rate_limit',
      }),
    );
    expect(retry.steps[0]?.summary).toBe('Rate limited (429): retry 3/10 in 8 s');
    expect(retry.steps[0]?.payload).toEqual({
      type: 'api_retry',
      attempt: 3,
      maxRetries: 10,
      retryDelayMs: 8000,
      errorStatus: 429,
      error: 'rate_limit',
    });
    expect(retry.logs).toEqual([{ level: 'warn', text: '[retry] Rate limited (429): retry 3/10 in 8 s' }]);
  });

  it.each([
    [529, 'overloaded', 1200, 'API overloaded (529): retry 1/10 in 1.2 s'],
    [500, 'server_error', 550, 'API server error (500): retry 1/10 in 0.6 s'],
    [null, 'unknown', 550, 'Connection to the API failed: retry 1/10 in 0.6 s'],
    [null, 'overloaded', 2000, 'API overloaded: retry 1/10 in 2 s'],
    [413, 'invalid_request', 1000, 'API error 413 (invalid_request): retry 1/10 in 1 s'],
  ] as const)('says why an API call is retried: %s %s', (status, error, delay, summary) => {
    const retry = new MessageTranslator().translate(
      sdk({
        type: 'system',
        subtype: 'api_retry',
        attempt: 1,
        max_retries: 10,
        retry_delay_ms: delay,
        error_status: status,
        error,
      }),
    );
    expect(retry.steps[0]?.summary).toBe(summary);
  });

  it('summarizes the result, success or not', () => {
    const translator = new MessageTranslator();
    const base = {
      type: 'result',
      duration_ms: 1500,
      num_turns: 2,
      usage: {},
      modelUsage: {},
      total_cost_usd: 0.01,
    };
    expect(
      translator.translate(sdk({ ...base, subtype: 'success', is_error: false, result: 'ok' })).steps[0]
        ?.summary,
    ).toBe('Finished in 1.5 s, 2 turns');
    const maxTurns = translator.translate(
      sdk({ ...base, subtype: 'error_max_turns', is_error: true, errors: [] }),
    );
    expect(maxTurns.steps[0]).toMatchObject({
      isError: true,
      summary: 'Ended: max turns after 1.5 s, 2 turns',
    });
  });

  it('bounds what one tool result may store', () => {
    const huge = Array.from({ length: 25_000 }, (_, i) => `line ${i}`).join('\n');
    const out = new MessageTranslator().translate(
      sdk({
        type: 'user',
        message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: huge }] },
      }),
    );
    expect(out.logs).toHaveLength(20_001);
    expect(out.logs.at(-1)?.text).toBe('… 5000 more lines not stored');
    expect(JSON.stringify(out.steps[0]?.payload).length).toBeLessThan(300 * 1024);
  });

  it('summarizes to one short line', () => {
    expect(summarize('  a\n  b  ')).toBe('a b');
    expect(summarize('x'.repeat(500))).toHaveLength(200);
  });
});
