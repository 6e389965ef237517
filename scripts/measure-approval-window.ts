/**
 * How long may a `canUseTool` callback stay pending on the pinned SDK before something gives up?
 * Runs the real SDK and its Claude Code binary against the scripted model server: each scenario
 * scripts two Bash calls; the first call's callback holds for `holdSeconds` and then allows, the
 * second is allowed at once. It records when the callback's abort signal fired (if ever), whether
 * the held call's command really ran, whether the later call still reached the callback, and how
 * the query ended. Every scenario runs at the same time, with and without
 * CLAUDE_CODE_STREAM_CLOSE_TIMEOUT.
 *
 *   npx tsx scripts/measure-approval-window.ts [holdSeconds…]   (default: 20 70 130 200 320)
 *
 * Figures are recorded in docs/approvals.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type PermissionResult, query, type SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { startScriptedModelServer } from '../tests/helpers/scriptedModelServer';

interface Scenario {
  key: string;
  holdSeconds: number;
  streamCloseTimeoutMs: number | null;
}

interface Outcome {
  scenario: Scenario;
  /** Seconds from the first callback to its abort signal; null when it never fired. */
  abortedAfterS: number | null;
  /** The held call's tool_result text (its command's output, or the error the CLI gave). */
  heldToolResult: string | null;
  /** Whether the second Bash call reached canUseTool at all. */
  secondCallAsked: boolean;
  secondToolResult: string | null;
  resultSubtype: string | null;
  thrown: string | null;
  totalS: number;
  systemSubtypes: string[];
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

function toolResultText(message: SDKMessage): { id: string; text: string } | null {
  if (message.type !== 'user' || !Array.isArray(message.message.content)) return null;
  for (const block of message.message.content) {
    if (typeof block === 'object' && block !== null && block.type === 'tool_result') {
      const content = block.content;
      const text =
        typeof content === 'string'
          ? content
          : Array.isArray(content)
            ? content.map((part) => ('text' in part ? part.text : '')).join('')
            : '';
      return { id: block.tool_use_id, text: text.slice(0, 200) };
    }
  }
  return null;
}

async function runScenario(modelUrl: string, scenario: Scenario): Promise<Outcome> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `approval-window-${scenario.key}-`));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    TMPDIR: dir,
    CLAUDE_CODE_TMPDIR: dir,
    CLAUDE_CONFIG_DIR: path.join(dir, 'config'),
    ANTHROPIC_BASE_URL: modelUrl,
    ANTHROPIC_API_KEY: 'sk-ant-measure-0000000000',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_CODE_MAX_RETRIES: '0',
    ...(scenario.streamCloseTimeoutMs !== null && {
      CLAUDE_CODE_STREAM_CLOSE_TIMEOUT: String(scenario.streamCloseTimeoutMs),
    }),
  };
  let firstAskAt = 0;
  let abortedAt: number | null = null;
  let asks = 0;
  let secondCallAsked = false;
  const toolIds: string[] = [];
  const results = new Map<string, string>();
  const systemSubtypes: string[] = [];
  let resultSubtype: string | null = null;
  let thrown: string | null = null;
  const started = Date.now();

  const canUseTool = async (
    _tool: string,
    input: Record<string, unknown>,
    { signal, toolUseID }: { signal: AbortSignal; toolUseID: string },
  ): Promise<PermissionResult> => {
    asks += 1;
    toolIds.push(toolUseID);
    if (asks > 1) {
      secondCallAsked = true;
      return { behavior: 'allow', updatedInput: input };
    }
    firstAskAt = Date.now();
    signal.addEventListener('abort', () => {
      abortedAt = Date.now();
    });
    await new Promise((resolve) => setTimeout(resolve, scenario.holdSeconds * 1000));
    return { behavior: 'allow', updatedInput: input };
  };

  try {
    for await (const message of query({
      prompt: `measure ${scenario.key}`,
      options: {
        model: 'claude-sonnet-4-5',
        cwd: dir,
        env,
        tools: ['Bash'],
        permissionMode: 'default',
        canUseTool,
        settingSources: [],
        persistSession: false,
        maxTurns: 5,
      },
    })) {
      if (message.type === 'system') systemSubtypes.push(message.subtype);
      if (message.type === 'result') resultSubtype = message.subtype;
      const result = toolResultText(message);
      if (result) results.set(result.id, result.text);
    }
  } catch (error) {
    thrown = error instanceof Error ? error.message.slice(0, 200) : String(error);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const [heldId, secondId] = toolIds;
  return {
    scenario,
    abortedAfterS: abortedAt === null ? null : seconds(abortedAt - firstAskAt),
    heldToolResult: heldId ? (results.get(heldId) ?? null) : null,
    secondCallAsked,
    secondToolResult: secondId ? (results.get(secondId) ?? null) : null,
    resultSubtype,
    thrown,
    totalS: seconds(Date.now() - started),
    systemSubtypes: [...new Set(systemSubtypes)],
  };
}

async function main(): Promise<void> {
  const holds = process.argv.slice(2).map(Number);
  const holdSeconds = holds.length > 0 ? holds : [20, 70, 130, 200, 320];
  const model = await startScriptedModelServer();
  const scenarios: Scenario[] = holdSeconds.flatMap((hold) =>
    [null, 900_000].map((streamCloseTimeoutMs) => ({
      key: `hold-${hold}-${streamCloseTimeoutMs === null ? 'default' : 'stream900s'}`,
      holdSeconds: hold,
      streamCloseTimeoutMs,
    })),
  );
  for (const { key } of scenarios) {
    model.script(key, [
      {
        content: [
          { type: 'tool_use', name: 'Bash', input: { command: `touch held-${key} && echo held-ran-${key}` } },
        ],
      },
      {
        content: [
          {
            type: 'tool_use',
            name: 'Bash',
            input: { command: `touch second-${key} && echo second-ran-${key}` },
          },
        ],
      },
      { content: [{ type: 'text', text: `done ${key}` }] },
    ]);
  }
  const outcomes = await Promise.all(scenarios.map((scenario) => runScenario(model.url, scenario)));
  await model.close();
  for (const outcome of outcomes) console.log(JSON.stringify(outcome));
}

void main();
