import { describe, expect, it } from 'vitest';
import type { ApprovalDto } from '../../src/lib/contracts/approvals';
import type { ExecutionSummary } from '../../src/lib/contracts/executions';
import { agentRunStats, keepsHittingDenials } from '../../src/lib/presentation/agentOverview';
import {
  applyApprovalFrame,
  fileEditsOf,
  initApprovals,
  parseEditedInput,
} from '../../src/lib/presentation/approvals';

const approval = (id: number, status: ApprovalDto['status'] = 'pending'): ApprovalDto => ({
  id,
  executionId: 10,
  agentId: 1,
  agentName: 'a',
  toolName: 'Bash',
  toolUseId: `toolu_${id}`,
  input: { command: 'ls' },
  inputHash: 'h',
  title: null,
  reason: null,
  suggestedRules: [],
  requestedAt: 0,
  expiresAt: 1,
  onTimeout: 'deny',
  status,
  decision: null,
});

describe('approvals state', () => {
  it('takes the topic’s pending set whole, keeps what it saw answered, and applies each change', () => {
    const start = initApprovals([approval(1), approval(2, 'allowed')]);
    const subscribed = applyApprovalFrame(start, {
      type: 'subscribed',
      topic: 'approvals',
      items: [approval(3)],
      counts: { pending: 1 },
    });
    // 1 was pending and is not any more: dropped (what it became is unknown); 2 stays answered.
    expect(subscribed.items.map((item) => [item.id, item.status])).toEqual([
      [3, 'pending'],
      [2, 'allowed'],
    ]);
    expect(subscribed.pending).toBe(1);
    const expired = applyApprovalFrame(subscribed, {
      type: 'approval.updated',
      approval: approval(3, 'expired'),
      counts: { pending: 0 },
    });
    expect(expired.items.map((item) => [item.id, item.status])).toEqual([
      [3, 'expired'],
      [2, 'allowed'],
    ]);
    expect(expired.pending).toBe(0);
  });
});

describe('file edits of a call', () => {
  it('reads Edit, MultiEdit and Write inputs, and nothing else', () => {
    expect(fileEditsOf('Edit', { file_path: '/a', old_string: 'x', new_string: 'y' })).toEqual([
      { path: '/a', before: 'x', after: 'y' },
    ]);
    expect(
      fileEditsOf('MultiEdit', {
        file_path: '/a',
        edits: [
          { old_string: '1', new_string: '2' },
          { old_string: '3', new_string: '4' },
        ],
      }),
    ).toHaveLength(2);
    expect(fileEditsOf('Write', { file_path: '/a', content: 'new' })).toEqual([
      { path: '/a', before: '', after: 'new' },
    ]);
    expect(fileEditsOf('Bash', { command: 'ls', file_path: '/a' })).toBeNull();
    expect(fileEditsOf('Edit', { file_path: '/a', old_string: 1 })).toBeNull();
  });
});

describe('an edited input', () => {
  it('must be a JSON object', () => {
    expect(parseEditedInput('{"command": "ls -l"}')).toEqual({ ok: true, input: { command: 'ls -l' } });
    expect(parseEditedInput('{"command": ')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^Not valid JSON/),
    });
    expect(parseEditedInput('[1]')).toMatchObject({
      ok: false,
      message: expect.stringContaining('JSON object'),
    });
    expect(parseEditedInput('null')).toMatchObject({ ok: false });
  });
});

describe('agent run stats', () => {
  const run = (status: ExecutionSummary['status'], durationMs: number | null) =>
    ({ status, durationMs }) as ExecutionSummary;

  it('counts ended runs only, with the median duration', () => {
    expect(
      agentRunStats([run('completed', 100), run('failed', 300), run('completed', 200), run('running', null)]),
    ).toEqual({ ended: 3, successRate: 2 / 3, p50DurationMs: 200 });
    expect(agentRunStats([run('completed', 100), run('completed', 300)]).p50DurationMs).toBe(200);
    expect(agentRunStats([])).toEqual({ ended: 0, successRate: null, p50DurationMs: null });
  });

  it('flags denials that keep coming back, not a single one', () => {
    expect(keepsHittingDenials({ runs: 20, runsWithDenials: 1 })).toBe(false);
    expect(keepsHittingDenials({ runs: 20, runsWithDenials: 5 })).toBe(true);
    expect(keepsHittingDenials({ runs: 4, runsWithDenials: 2 })).toBe(true);
  });
});
