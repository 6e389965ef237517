import { describe, expect, it } from 'vitest';
import { mergeCostRecords } from '../../../src/lib/claude/costTracker';
import { ZERO_USAGE } from '../../../src/lib/claude/usage';
import type { ModelCostRecord } from '../../../src/lib/contracts/costs';
import type { Approval } from '../../../src/lib/db/schema';
import { contextWarning, sessionWarning } from '../../../src/lib/engine/continuation';
import { resumePrompt } from '../../../src/lib/engine/permissionBroker';

describe('a resume that did not take', () => {
  it('is flagged when Claude Code started another session than the one asked for', () => {
    expect(sessionWarning('sess-a', 'sess-a')).toBeNull();
    expect(sessionWarning('sess-a', 'sess-b')).toEqual({
      code: 'resume_not_taken',
      message:
        "Asked to resume session sess-a, Claude Code started sess-b: the earlier conversation is not in this run's context.",
    });
  });

  it('is flagged when the first call carries less than half the context the session ended with', () => {
    const sent = (inputTokens: number, cacheReadTokens: number) => ({
      ...ZERO_USAGE,
      inputTokens,
      cacheReadTokens,
    });
    expect(contextWarning(10_000, sent(200, 9_000))).toBeNull();
    expect(contextWarning(10_000, sent(5_000, 0))).toBeNull();
    expect(contextWarning(0, sent(10, 0))).toBeNull();
    expect(contextWarning(10_000, sent(1_200, 0))).toMatchObject({
      code: 'resume_not_taken',
      message: expect.stringContaining('carried 1200 tokens of context, against 10000'),
    });
  });
});

describe('what a woken session is told', () => {
  const approval = (over: Partial<Approval>): Approval => ({
    id: 4,
    executionId: 9,
    agentId: 1,
    toolUseId: 'toolu_1',
    toolName: 'Bash',
    input: { command: 'systemctl restart app' },
    inputHash: 'h',
    title: null,
    reason: null,
    suggestions: [],
    requestedAt: 0,
    expiresAt: 60_000,
    onTimeout: 'deny',
    status: 'allowed',
    decision: 'allow',
    decidedAt: 1,
    decidedVia: 'link',
    decidedChannel: 'ntfy #1',
    message: null,
    updatedInput: null,
    rememberedRules: [],
    consumedAt: null,
    ...over,
  });

  it('an allow asks for the call again, with the approved (possibly edited) input', () => {
    expect(resumePrompt(approval({}))).toBe(
      '[ClaudeOps] A person approved your Bash call (systemctl restart app). It has not run yet: call Bash again now with this input: {"command":"systemctl restart app"}',
    );
    expect(resumePrompt(approval({ updatedInput: { command: 'systemctl reload app' } }))).toContain(
      'with changes. It has not run yet: call Bash again now with this input: {"command":"systemctl reload app"}',
    );
  });

  it('a deny or a timeout passes its message on, and says not to run it', () => {
    expect(resumePrompt(approval({ status: 'denied', decision: 'deny', message: 'Not on Fridays.' }))).toBe(
      '[ClaudeOps] Your Bash call (systemctl restart app) was not approved: Not on Fridays. Do not run it; go on without it.',
    );
  });
});

describe('a parked run’s spend, added up', () => {
  const row = (model: string, costMicros: number, inputTokens: number): ModelCostRecord => ({
    model,
    ...ZERO_USAGE,
    inputTokens,
    costMicros,
    reportedCostMicros: costMicros,
    costSource: 'computed',
    usageSource: 'stream',
    unpriced: false,
    costMismatch: false,
    responseCount: 1,
  });

  it('adds each model’s figures of the earlier processes to the new one’s', () => {
    const merged = mergeCostRecords(
      [row('claude-sonnet-4-5', 300, 100), row('claude-haiku-4-5', 10, 5)],
      [row('claude-sonnet-4-5', 200, 50)],
    );
    expect(merged).toEqual([
      { ...row('claude-sonnet-4-5', 500, 150), responseCount: 2 },
      row('claude-haiku-4-5', 10, 5),
    ]);
  });
});
