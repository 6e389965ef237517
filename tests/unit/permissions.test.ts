import { describe, expect, it } from 'vitest';
import { createAgentSchema, updateAgentSchema } from '../../src/lib/contracts/agents';
import { ruleIssue, ruleMatches } from '../../src/lib/contracts/permissions';
import { denialHint } from '../../src/lib/engine/denials';

describe('permission rule syntax', () => {
  it.each([
    'Bash',
    'Read',
    'Bash(cat:*)',
    'Bash(npm run test:*)',
    'Bash(git diff *)',
    'Read(//etc/**)',
    'Edit(./src/**)',
    'WebFetch(domain:example.com)',
    'mcp__claudeops',
    'mcp__claudeops__current_metrics',
    'mcp__github__*',
  ])('accepts %s', (rule) => {
    expect(ruleIssue(rule)).toBeNull();
  });

  it.each([
    ['', 'A rule is required, e.g. Bash(cat:*), Read or mcp__server__tool'],
    ['bash', 'Tool names start with a capital letter: Bash'],
    ['Bash()', 'Empty parentheses: write Bash alone for every call, or a pattern, e.g. Bash(cat:*)'],
    ['Read( )', 'Empty parentheses: write Read alone for every call, or a pattern, e.g. Read(./src/**)'],
    ['Bash(cat:* foo)', '`:*` (a prefix match) only works at the end, e.g. Bash(npm run test:*)'],
    ['Bash(cat', 'A specifier goes in parentheses at the end, e.g. Bash(cat:*)'],
    ['mcp__server__tool(x)', 'MCP rules take no parentheses: mcp__server or mcp__server__tool'],
    ['mcp__', 'An MCP rule is mcp__<server> or mcp__<server>__<tool>'],
    ['WebFetch(example.com)', 'WebFetch rules name a domain: WebFetch(domain:example.com)'],
    ['rm -rf /', 'Not a tool name: letters and digits, starting with a capital (Bash, Read, WebFetch)'],
    ['Bash((x))', 'Parentheses inside a rule are not supported'],
  ])('refuses %j: %s', (rule, message) => {
    expect(ruleIssue(rule)).toBe(message);
  });

  it('names the field and the list position of a bad rule in the agent contract', () => {
    const result = createAgentSchema.safeParse({
      name: 'a',
      model: 'claude-sonnet-4-5',
      defaultPrompt: 'go',
      allowedTools: ['Read', 'Bash(cat:* x)'],
      deniedTools: ['mcp__x__y(z)'],
    });
    expect(result.success).toBe(false);
    const issues = result.error?.issues.map((issue) => [issue.path.join('.'), issue.message]);
    expect(issues).toEqual([
      ['allowedTools.1', '`:*` (a prefix match) only works at the end, e.g. Bash(npm run test:*)'],
      ['deniedTools.0', 'MCP rules take no parentheses: mcp__server or mcp__server__tool'],
    ]);
  });

  it('refuses a rule that is both allowed and denied, and the policy values it does not know', () => {
    const clash = updateAgentSchema.safeParse({ allowedTools: ['Bash(rm:*)'], deniedTools: ['Bash(rm:*)'] });
    expect(clash.error?.issues[0]).toMatchObject({
      path: ['allowedTools', 0],
      message: 'Bash(rm:*) is also in deniedTools, and a deny always wins',
    });
    const policy = updateAgentSchema.safeParse({ unlistedTools: 'maybe', onApprovalTimeout: 'retry' });
    expect(policy.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['unlistedTools', 'One of deny, ask'],
      ['onApprovalTimeout', 'One of deny, fail'],
    ]);
    expect(updateAgentSchema.safeParse({ approvalTimeoutMinutes: 0 }).error?.issues[0]?.message).toBe(
      'At least 1 minute',
    );
  });
});

describe('which calls a rule names', () => {
  const bash = (command: string) => ({ command });

  it.each([
    ['Bash', 'Bash', bash('anything at all'), true],
    ['Bash(cat:*)', 'Bash', bash('cat notes.txt'), true],
    ['Bash(cat:*)', 'Bash', bash('cat'), true],
    ['Bash(cat:*)', 'Bash', bash('catalog --all'), false],
    ['Bash(npm run test:*)', 'Bash', bash('npm run test -- --watch'), true],
    ['Bash(git diff *)', 'Bash', bash('git diff HEAD~1'), true],
    ['Bash(ls)', 'Bash', bash('ls -la'), false],
    ['Bash(cat:*)', 'Read', { file_path: '/etc/hostname' }, false],
    ['Read(//etc/**)', 'Read', { file_path: '/etc/ssh/sshd_config' }, true],
    ['Read(//etc/*)', 'Read', { file_path: '/etc/ssh/sshd_config' }, false],
    ['Read(//proc/**)', 'Read', { file_path: '/etc/hostname' }, false],
    ['WebFetch(domain:example.com)', 'WebFetch', { url: 'https://example.com/a' }, true],
    ['WebFetch(domain:example.com)', 'WebFetch', { url: 'https://evil.test/?example.com' }, false],
    ['mcp__claudeops', 'mcp__claudeops__current_metrics', {}, true],
    ['mcp__claudeops__current_metrics', 'mcp__claudeops__current_metrics', {}, true],
    ['mcp__claudeops__current_metrics', 'mcp__claudeops__disk_forecast', {}, false],
    ['mcp__claude', 'mcp__claudeops__current_metrics', {}, false],
  ] as const)('%s on %s %j: %s', (rule, tool, input, expected) => {
    expect(ruleMatches(rule, tool, input)).toBe(expected);
  });
});

describe('what a denied call tells the agent’s owner', () => {
  const agent = { allowedTools: ['Bash(cat:*)'], rememberedTools: [], unlistedTools: 'deny' as const };

  it('a cat the rule names, refused for reading outside the working directory, says how to allow it', () => {
    expect(denialHint(agent, 'Bash', { command: 'cat /etc/hostname' })).toBe(
      "Bash(cat:*) names this command, but Claude Code also checks the paths a command reads or writes: this one reaches outside the working directory. Add the directory to the agent's additionalDirectories, or allow Read(//that/dir/**).",
    );
  });

  it('a call no rule names says so, and what to change', () => {
    expect(denialHint(agent, 'Bash', { command: 'rm -rf build' })).toBe(
      'No rule allows this call and the agent denies unlisted calls: add a rule for it, or set unlistedTools to ask.',
    );
  });
});
