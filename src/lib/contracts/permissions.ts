import { z } from 'zod';
import { singleLine } from './text';

/**
 * Permission rules as Claude Code spells them, and an agent's policy for the calls its rules do
 * not cover. Shared by the agent form and the API (one validation, the same messages), and by the
 * engine to explain a denial.
 *
 * A rule is a tool name, optionally narrowed by a specifier in parentheses:
 *   Bash                 every Bash command
 *   Bash(npm test:*)     Bash commands that start with `npm test` (`:*` only at the end)
 *   Bash(git diff *)     `*` stands for any text
 *   Read(./src/**)       a path pattern (gitignore style; `//abs/path`, `~/path`, `./relative`)
 *   WebFetch(domain:example.com)
 *   mcp__server          every tool of one MCP server; mcp__server__tool one of them
 */

/** Claude Code's built-in tools whose rules the form suggests; other capitalized names are accepted too. */
export const KNOWN_TOOLS = [
  'Bash',
  'Read',
  'Write',
  'Edit',
  'MultiEdit',
  'Glob',
  'Grep',
  'NotebookEdit',
  'WebFetch',
  'WebSearch',
  'TodoWrite',
  'Task',
  'Agent',
] as const;

/** Tools whose specifier is a path pattern. */
const PATH_TOOLS = new Set(['Read', 'Write', 'Edit', 'MultiEdit', 'Glob', 'Grep', 'NotebookEdit']);

/** What the agent does with a call no rule allows or denies. */
export const UNLISTED_TOOL_POLICIES = ['deny', 'ask'] as const;
export type UnlistedToolPolicy = (typeof UNLISTED_TOOL_POLICIES)[number];

/** What happens when nobody answers an approval in time. */
export const APPROVAL_TIMEOUT_ACTIONS = ['deny', 'fail'] as const;
export type ApprovalTimeoutAction = (typeof APPROVAL_TIMEOUT_ACTIONS)[number];

export interface ParsedRule {
  tool: string;
  /** The text in parentheses; null for a bare tool name. */
  specifier: string | null;
}

const MCP_RULE = /^mcp__[A-Za-z0-9_-]+?(?:__(?:[A-Za-z0-9_-]+|\*))?$/;
const TOOL_NAME = /^[A-Z][A-Za-z0-9]*$/;

/** Splits `Tool(specifier)`; null when it is not that shape at all. */
export function parseRule(rule: string): ParsedRule | null {
  const open = rule.indexOf('(');
  if (open === -1) return { tool: rule, specifier: null };
  if (!rule.endsWith(')')) return null;
  return { tool: rule.slice(0, open), specifier: rule.slice(open + 1, -1) };
}

/** What is wrong with a rule, in words a person can act on; null when Claude Code will read it. */
export function ruleIssue(rule: string): string | null {
  if (rule === '') return 'A rule is required, e.g. Bash(cat:*), Read or mcp__server__tool';
  if (rule.length > 500) return 'At most 500 characters';
  if (/[\n\r\t]/.test(rule)) return 'A rule is one line';
  if (rule.startsWith('mcp__')) {
    if (rule.includes('(')) return 'MCP rules take no parentheses: mcp__server or mcp__server__tool';
    return MCP_RULE.test(rule) ? null : 'An MCP rule is mcp__<server> or mcp__<server>__<tool>';
  }
  const parsed = parseRule(rule);
  if (!parsed) return 'A specifier goes in parentheses at the end, e.g. Bash(cat:*)';
  const { tool, specifier } = parsed;
  if (!TOOL_NAME.test(tool)) {
    return /^[a-z][A-Za-z0-9]*$/.test(tool)
      ? `Tool names start with a capital letter: ${tool.charAt(0).toUpperCase()}${tool.slice(1)}`
      : 'Not a tool name: letters and digits, starting with a capital (Bash, Read, WebFetch)';
  }
  if (specifier === null) return null;
  if (specifier.trim() === '')
    return `Empty parentheses: write ${tool} alone for every call, or a pattern, e.g. ${tool === 'Bash' ? 'Bash(cat:*)' : `${tool}(./src/**)`}`;
  if (specifier.includes('(') || specifier.includes(')'))
    return 'Parentheses inside a rule are not supported';
  if (specifier.slice(0, -2).includes(':*'))
    return '`:*` (a prefix match) only works at the end, e.g. Bash(npm run test:*)';
  if (tool === 'WebFetch' && !/^domain:[A-Za-z0-9.*-]+$/.test(specifier))
    return 'WebFetch rules name a domain: WebFetch(domain:example.com)';
  return null;
}

/** A permission rule in an agent's lists, checked with the message `ruleIssue` gives. */
export const permissionRuleSchema = singleLine(z.string().trim()).superRefine((rule, ctx) => {
  const issue = ruleIssue(rule);
  if (issue) ctx.addIssue({ code: 'custom', message: issue });
});

export const permissionRulesSchema = z
  .array(permissionRuleSchema)
  .max(100, 'At most 100 rules')
  .refine((rules) => new Set(rules).size === rules.length, 'Each rule at most once');

/** `*` matches any text; everything else literally. */
function wildcard(pattern: string): RegExp {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 's');
}

/** Gitignore-style: `**` any depth, `*` within one segment. */
function pathPattern(pattern: string): RegExp {
  const source = pattern
    .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\*\*\/?/g, '\u0000')
    .replace(/\*/g, '[^/]*')
    .replaceAll('\u0000', '.*');
  return new RegExp(`^${source}$`);
}

function bashMatches(specifier: string, command: string): boolean {
  if (specifier.endsWith(':*')) {
    const prefix = specifier.slice(0, -2);
    return command === prefix || command.startsWith(`${prefix} `);
  }
  return specifier.includes('*') ? wildcard(specifier).test(command) : command === specifier;
}

/** The absolute path a path pattern names (`//etc/**` → `/etc/**`); relative ones are left as they are. */
const absolutePattern = (specifier: string) => (specifier.startsWith('//') ? specifier.slice(1) : specifier);

/**
 * Whether a rule covers a call, as far as its own text says: Bash commands by prefix, wildcard or
 * exact text; path tools by their `file_path`/`path`; WebFetch by domain; MCP by server and tool.
 * Claude Code checks more than this (compound commands, paths outside the working directory), so
 * a match here means "the rule names this call", which is what a denial's explanation needs.
 */
export function ruleMatches(rule: string, toolName: string, input: Record<string, unknown>): boolean {
  if (rule.startsWith('mcp__')) {
    const server = rule.replace(/__\*$/, '');
    return toolName === rule || (server.split('__').length === 2 && toolName.startsWith(`${server}__`));
  }
  const parsed = parseRule(rule);
  if (!parsed || parsed.tool !== toolName) return false;
  const { specifier } = parsed;
  if (specifier === null) return true;
  if (toolName === 'Bash') return typeof input.command === 'string' && bashMatches(specifier, input.command);
  if (toolName === 'WebFetch' && typeof input.url === 'string') {
    const host = URL.canParse(input.url) ? new URL(input.url).hostname : '';
    return wildcard(specifier.slice('domain:'.length)).test(host);
  }
  if (PATH_TOOLS.has(toolName)) {
    const target = input.file_path ?? input.path ?? input.notebook_path;
    return typeof target === 'string' && pathPattern(absolutePattern(specifier)).test(target);
  }
  return false;
}

/** The rules that allow a call without asking: the agent's own and the ones a person saved. */
export const allowRulesOf = (agent: {
  allowedTools: readonly string[];
  rememberedTools: readonly string[];
}): string[] => [...new Set([...agent.allowedTools, ...agent.rememberedTools])];
