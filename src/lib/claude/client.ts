import fs from 'node:fs';
import path from 'node:path';
import type {
  CanUseTool,
  HookCallbackMatcher,
  McpServerConfig,
  Options,
  SessionStore,
} from '@anthropic-ai/claude-agent-sdk';
import { outputJsonSchemaOf } from '../../agents/structuredOutput';
import { isReadOnlyCommand, SYSTEM_HEALTH_KEY } from '../../agents/system-health';
import type { AppEnv } from '../config/env';
import { allowRulesOf } from '../contracts/permissions';
import type { AgentConfiguration } from '../db/schema';
import { bundledClaudeCode } from './bundledBinary';

/** Mark every agent process with its execution and database, so a restarted server can find its orphans. */
export const EXECUTION_ENV_MARKER = 'CLAUDEOPS_EXECUTION_ID';
export const INSTANCE_ENV_MARKER = 'CLAUDEOPS_INSTANCE';

export interface RunDirectories {
  workDir: string;
  tmpDir: string;
  configDir: string;
  homeDir: string;
}

/**
 * Per-run scratch space under the data dir, so agents never write to /tmp/claude-* or ~/.claude.
 * A continue works in the directory of the run it continues (`workOf`), where its files are.
 */
export function prepareRunDirectories(
  appEnv: AppEnv,
  executionId: number,
  agent: AgentConfiguration,
  workOf: number = executionId,
): RunDirectories {
  const runDir = path.join(appEnv.dataDir, 'runs', String(executionId));
  const dirs = {
    workDir: agent.workingDirectory ?? path.join(appEnv.dataDir, 'runs', String(workOf), 'work'),
    tmpDir: path.join(runDir, 'tmp'),
    configDir: path.join(appEnv.dataDir, 'claude-config'),
    homeDir: path.join(appEnv.dataDir, 'agent-home'),
  };
  for (const dir of [dirs.tmpDir, dirs.configDir, dirs.homeDir]) fs.mkdirSync(dir, { recursive: true });
  if (agent.workingDirectory === null) fs.mkdirSync(dirs.workDir, { recursive: true });
  return dirs;
}

/** Removes Claude Code's own files of one session from a config dir (its JSONL and subagent folder). */
export function discardLocalTranscript(configDir: string, sessionId: string): void {
  const projects = path.join(configDir, 'projects');
  if (!fs.existsSync(projects)) return;
  for (const project of fs.readdirSync(projects, { withFileTypes: true })) {
    if (!project.isDirectory()) continue;
    fs.rmSync(path.join(projects, project.name, `${sessionId}.jsonl`), { force: true });
    fs.rmSync(path.join(projects, project.name, sessionId), { recursive: true, force: true });
  }
}

/**
 * The agent process's whole environment, built from scratch: the SDK replaces the child's
 * environment with this, so no other variable of the server (tokens, secrets) reaches it.
 */
export function buildAgentEnv(
  appEnv: AppEnv,
  agent: AgentConfiguration,
  executionId: number,
  dirs: RunDirectories,
): Record<string, string> {
  const agentEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? dirs.workDir,
    LANG: process.env.LANG ?? 'C.UTF-8',
    TMPDIR: dirs.tmpDir,
    CLAUDE_CODE_TMPDIR: dirs.tmpDir,
    // No title generation, telemetry or update checks: only the calls the run needs (and pays for).
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    [EXECUTION_ENV_MARKER]: String(executionId),
    // The agent's retry policy for failed API calls (Claude Code's default is 10).
    CLAUDE_CODE_MAX_RETRIES: String(agent.apiMaxRetries),
    [INSTANCE_ENV_MARKER]: appEnv.databasePath,
  };
  if (appEnv.anthropicBaseUrl) agentEnv.ANTHROPIC_BASE_URL = appEnv.anthropicBaseUrl;
  if (appEnv.anthropicApiKey) {
    agentEnv.ANTHROPIC_API_KEY = appEnv.anthropicApiKey;
    // With a key the CLI needs no login, so it gets a config dir and a HOME of its own: the Bash
    // tool runs login shells, and the operator's profile (pyenv, nvm…) is slow, varies, and can
    // hang on a lock a killed shell left behind. Without a key it keeps the user's HOME, where
    // the machine's existing Claude Code login lives.
    agentEnv.CLAUDE_CONFIG_DIR = dirs.configDir;
    agentEnv.HOME = dirs.homeDir;
  }
  return agentEnv;
}

/** `Bash(ls:*)` → `Bash`: the tools the model is offered at all. */
export function toolBaseNames(allowedTools: readonly string[]): string[] {
  return [...new Set(allowedTools.map((tool) => tool.replace(/\(.*\)$/, '')))];
}

const readOnlyBashGuard: HookCallbackMatcher = {
  matcher: 'Bash',
  hooks: [
    async (input) => {
      const command =
        input.hook_event_name === 'PreToolUse' &&
        typeof input.tool_input === 'object' &&
        input.tool_input !== null
          ? (input.tool_input as { command?: unknown }).command
          : undefined;
      if (typeof command === 'string' && isReadOnlyCommand(command)) return {};
      return {
        hookSpecificOutput: {
          hookEventName: 'PreToolUse',
          permissionDecision: 'deny',
          permissionDecisionReason: 'The System Health Reporter may only run read-only inspection commands.',
        },
      };
    },
  ],
};

/** In-process tools an agent gets besides Claude Code's own (the health reporter's metrics tools). */
export interface AgentTools {
  mcpServers: Record<string, McpServerConfig>;
  /** Their names as permission rules (`mcp__<server>__<tool>`): approved without asking. */
  allowedTools: string[];
}

/** Where an attempt starts when it resumes an earlier session. */
export interface SessionResume {
  sessionId: string;
  /** Branch into a new session that starts from this one's history. */
  fork: boolean;
}

export interface AgentQueryInput {
  agent: AgentConfiguration;
  tools?: AgentTools | undefined;
  env: Record<string, string>;
  cwd: string;
  claudeCodeExecutable: string | undefined;
  /** The SDK's own spending stop, behind ClaudeOps' live check; undefined for none. */
  maxBudgetUsd: number | undefined;
  /** Asks about calls no rule covers; absent: such calls are denied (`dontAsk`). */
  canUseTool?: CanUseTool | undefined;
  /** Where the session's transcript is kept (so it can be resumed from any directory). */
  sessionStore?: SessionStore | undefined;
  resume?: SessionResume | undefined;
}

/**
 * SDK options for one run (the process and its abort are owned by RunningAgent). Works as root
 * too: `dontAsk` approves only the allow rules, never everything; with a `canUseTool` the mode is
 * `default`, and what no rule covers is asked there.
 */
export function buildQueryOptions(input: AgentQueryInput): Options {
  const { agent } = input;
  const outputSchema = outputJsonSchemaOf(agent);
  const executable = input.claudeCodeExecutable ?? bundledClaudeCode();
  const allowRules = allowRulesOf(agent);
  return {
    model: agent.model,
    systemPrompt:
      agent.systemPrompt.trim() === '' ? { type: 'preset', preset: 'claude_code' } : agent.systemPrompt,
    cwd: input.cwd,
    env: input.env,
    maxTurns: agent.maxTurns,
    // An agent that asks is offered every tool (it may ask to use any); one that denies, only those it may use.
    ...(input.canUseTool
      ? { permissionMode: 'default', canUseTool: input.canUseTool }
      : { permissionMode: 'dontAsk', tools: toolBaseNames(allowRules) }),
    allowedTools: [...allowRules, ...(input.tools?.allowedTools ?? [])],
    disallowedTools: agent.deniedTools,
    additionalDirectories: agent.additionalDirectories,
    hooks: agent.builtinKey === SYSTEM_HEALTH_KEY ? { PreToolUse: [readOnlyBashGuard] } : {},
    includePartialMessages: true,
    // Kept (and mirrored line by line to ClaudeOps' store), so any run can be continued later.
    persistSession: true,
    ...(input.sessionStore ? { sessionStore: input.sessionStore, sessionStoreFlush: 'eager' } : {}),
    ...(input.resume ? { resume: input.resume.sessionId, forkSession: input.resume.fork } : {}),
    settingSources: [],
    ...(input.tools ? { mcpServers: input.tools.mcpServers } : {}),
    // The answer as an object the schema accepts: the CLI offers a StructuredOutput tool and insists on it.
    ...(outputSchema ? { outputFormat: { type: 'json_schema', schema: outputSchema } } : {}),
    ...(input.maxBudgetUsd !== undefined ? { maxBudgetUsd: input.maxBudgetUsd } : {}),
    ...(executable ? { pathToClaudeCodeExecutable: executable } : {}),
  };
}
