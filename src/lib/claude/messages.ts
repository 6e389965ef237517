import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import type { ApiRetryPayload, LogLevel, StepKind } from '../contracts/executions';

/** What one SDK message adds to an execution: timeline steps and log lines, in order. */
export interface StepDraft {
  kind: StepKind;
  summary: string;
  toolName: string | null;
  toolUseId: string | null;
  isError: boolean;
  payload: unknown;
}

export interface LogDraft {
  level: LogLevel;
  text: string;
}

export interface Translation {
  steps: StepDraft[];
  logs: LogDraft[];
}

const SUMMARY_CHARS = 200;
/** Bounds what one tool result may add, so a runaway tool cannot fill the disk or the page. */
const MAX_RESULT_LINES = 20_000;
const MAX_PAYLOAD_TEXT = 256 * 1024;

export function summarize(text: string, max = SUMMARY_CHARS): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

function capText(text: string): string {
  return text.length > MAX_PAYLOAD_TEXT
    ? `${text.slice(0, MAX_PAYLOAD_TEXT)}\n… (${text.length - MAX_PAYLOAD_TEXT} more characters not stored)`
    : text;
}

function splitLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  if (lines.length <= MAX_RESULT_LINES) return lines;
  return [...lines.slice(0, MAX_RESULT_LINES), `… ${lines.length - MAX_RESULT_LINES} more lines not stored`];
}

const RETRY_CAUSE_BY_ERROR: Record<string, string> = {
  rate_limit: 'Rate limited',
  overloaded: 'API overloaded',
  server_error: 'API server error',
};

/** Why Claude Code retries an API call, as a person would say it: 'Rate limited (429)'. */
function retryCause({ errorStatus, error }: ApiRetryPayload): string {
  if (errorStatus === null) return RETRY_CAUSE_BY_ERROR[error] ?? 'Connection to the API failed';
  if (errorStatus === 429) return 'Rate limited (429)';
  if (errorStatus === 529) return 'API overloaded (529)';
  if (errorStatus >= 500) return `API server error (${errorStatus})`;
  return `API error ${errorStatus} (${error})`;
}

/** 'Rate limited (429): retry 3/10 in 8 s' */
function describeApiRetry(retry: ApiRetryPayload): string {
  const seconds = Math.round(retry.retryDelayMs / 100) / 10;
  return `${retryCause(retry)}: retry ${retry.attempt}/${retry.maxRetries} in ${seconds} s`;
}

/** A one-line description of a tool call that a person can scan: the command, the file, the pattern. */
export function describeToolInput(input: unknown): string {
  if (typeof input !== 'object' || input === null) return '';
  const fields = input as Record<string, unknown>;
  for (const key of ['command', 'file_path', 'path', 'pattern', 'url', 'query', 'description']) {
    const value = fields[key];
    if (typeof value === 'string') return summarize(value);
  }
  return summarize(JSON.stringify(input) ?? '');
}

function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) => {
      if (typeof part === 'object' && part !== null && 'text' in part && typeof part.text === 'string') {
        return part.text;
      }
      return '[non-text content]';
    })
    .join('\n');
}

const step = (
  kind: StepKind,
  summary: string,
  payload: unknown,
  extra: Partial<StepDraft> = {},
): StepDraft => ({
  kind,
  summary,
  payload,
  toolName: null,
  toolUseId: null,
  isError: false,
  ...extra,
});

/**
 * Turns the SDK's message stream into timeline steps and log lines. Stateful only to name the
 * tool that a tool_result answers.
 */
export class MessageTranslator {
  private readonly toolNames = new Map<string, string>();

  translate(message: SDKMessage): Translation {
    switch (message.type) {
      case 'system':
        return this.system(message);
      case 'assistant':
        return this.assistant(message);
      case 'user':
        return this.user(message);
      case 'result':
        return this.result(message);
      default:
        return { steps: [], logs: [] };
    }
  }

  private system(message: Extract<SDKMessage, { type: 'system' }>): Translation {
    if (message.subtype === 'init') {
      const summary = `Session started · ${message.model} · tools: ${message.tools.join(', ') || 'none'} · credential: ${message.apiKeySource}`;
      const payload = {
        sessionId: message.session_id,
        model: message.model,
        tools: message.tools,
        cwd: message.cwd,
        permissionMode: message.permissionMode,
        apiKeySource: message.apiKeySource,
        claudeCodeVersion: message.claude_code_version,
      };
      return {
        steps: [step('system', summary, payload)],
        logs: [{ level: 'info', text: `[system] ${summary}` }],
      };
    }
    if (message.subtype === 'api_retry') {
      const payload: ApiRetryPayload = {
        type: 'api_retry',
        attempt: message.attempt,
        maxRetries: message.max_retries,
        retryDelayMs: message.retry_delay_ms,
        errorStatus: message.error_status,
        error: message.error,
      };
      const summary = describeApiRetry(payload);
      return {
        steps: [step('system', summary, payload, { isError: true })],
        logs: [{ level: 'warn', text: `[retry] ${summary}` }],
      };
    }
    // `status` precedes every API call: noise in a log meant for people.
    if (message.subtype === 'status') return { steps: [], logs: [] };
    return { steps: [], logs: [{ level: 'debug', text: `[system] ${message.subtype}` }] };
  }

  private assistant(message: Extract<SDKMessage, { type: 'assistant' }>): Translation {
    const out: Translation = { steps: [], logs: [] };
    const isError = message.error !== undefined;
    for (const block of message.message.content) {
      if (block.type === 'text') {
        out.steps.push(
          step('assistant_text', summarize(block.text), { text: capText(block.text) }, { isError }),
        );
        for (const line of splitLines(block.text))
          out.logs.push({ level: isError ? 'error' : 'info', text: line });
      } else if (block.type === 'thinking') {
        out.steps.push(step('thinking', summarize(block.thinking), { thinking: capText(block.thinking) }));
      } else if (block.type === 'tool_use') {
        this.toolNames.set(block.id, block.name);
        const described = describeToolInput(block.input);
        out.steps.push(
          step(
            'tool_use',
            `${block.name}: ${described}`,
            { input: block.input },
            { toolName: block.name, toolUseId: block.id },
          ),
        );
        out.logs.push({ level: 'info', text: `$ ${block.name}: ${described}` });
      }
    }
    return out;
  }

  private user(message: Extract<SDKMessage, { type: 'user' }>): Translation {
    const out: Translation = { steps: [], logs: [] };
    const content = message.message.content;
    if (!Array.isArray(content)) return out;
    for (const block of content) {
      if (block.type !== 'tool_result') continue;
      const text = toolResultText(block.content);
      const isError = block.is_error === true;
      const toolName = this.toolNames.get(block.tool_use_id) ?? null;
      const summary = summarize(text) || (isError ? 'Tool failed with no output' : 'No output');
      out.steps.push(
        step(
          'tool_result',
          summary,
          { output: capText(text) },
          { toolName, toolUseId: block.tool_use_id, isError },
        ),
      );
      for (const line of splitLines(text)) out.logs.push({ level: isError ? 'error' : 'info', text: line });
    }
    return out;
  }

  private result(message: Extract<SDKMessage, { type: 'result' }>): Translation {
    const seconds = (message.duration_ms / 1000).toFixed(1);
    const turns = `${message.num_turns} turn${message.num_turns === 1 ? '' : 's'}`;
    const summary =
      message.subtype === 'success' && !message.is_error
        ? `Finished in ${seconds} s, ${turns}`
        : `${endedHow(message.subtype)} after ${seconds} s, ${turns}`;
    const payload = {
      subtype: message.subtype,
      isError: message.is_error,
      durationMs: message.duration_ms,
      numTurns: message.num_turns,
      result: message.subtype === 'success' ? capText(message.result) : null,
      errors: message.subtype === 'success' ? [] : message.errors,
      usage: message.usage,
      modelUsage: message.modelUsage,
      totalCostUsd: message.total_cost_usd,
      terminalReason: message.terminal_reason ?? null,
    };
    return {
      steps: [step('result', summary, payload, { isError: message.is_error })],
      logs: [{ level: message.is_error ? 'error' : 'info', text: `[result] ${summary}` }],
    };
  }
}

/** How a run that did not succeed ended, in words: `success` with an error is the API's error answer. */
function endedHow(subtype: string): string {
  if (subtype === 'success') return 'Ended with an error';
  return `Ended: ${subtype.replace(/^error_/, '').replaceAll('_', ' ')}`;
}
