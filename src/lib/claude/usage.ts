import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { TOKEN_KINDS, type TokenUsage } from '../contracts/executions';

export interface ModelTokenUsage extends TokenUsage {
  model: string;
}

export const ZERO_USAGE: TokenUsage = {
  inputTokens: 0,
  outputTokens: 0,
  cacheCreation5mTokens: 0,
  cacheCreation1hTokens: 0,
  cacheReadTokens: 0,
};

interface ApiUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation?: {
    ephemeral_5m_input_tokens?: number | null;
    ephemeral_1h_input_tokens?: number | null;
  } | null;
}

/** Reads an API usage object; cache writes without a lifetime split count as 5-minute writes (the default). */
export function fromApiUsage(usage: ApiUsage): TokenUsage {
  const cacheCreation = usage.cache_creation_input_tokens ?? 0;
  const oneHour = usage.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  const fiveMinute = usage.cache_creation?.ephemeral_5m_input_tokens ?? cacheCreation - oneHour;
  return {
    inputTokens: usage.input_tokens ?? 0,
    outputTokens: usage.output_tokens ?? 0,
    cacheCreation5mTokens: Math.max(0, fiveMinute),
    cacheCreation1hTokens: oneHour,
    cacheReadTokens: usage.cache_read_input_tokens ?? 0,
  };
}

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheCreation5mTokens: a.cacheCreation5mTokens + b.cacheCreation5mTokens,
    cacheCreation1hTokens: a.cacheCreation1hTokens + b.cacheCreation1hTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
  };
}

function sameUsage(a: ModelTokenUsage, b: ModelTokenUsage): boolean {
  return a.model === b.model && TOKEN_KINDS.every((kind) => a[kind] === b[kind]);
}

function maxUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: Math.max(a.inputTokens, b.inputTokens),
    outputTokens: Math.max(a.outputTokens, b.outputTokens),
    cacheCreation5mTokens: Math.max(a.cacheCreation5mTokens, b.cacheCreation5mTokens),
    cacheCreation1hTokens: Math.max(a.cacheCreation1hTokens, b.cacheCreation1hTokens),
    cacheReadTokens: Math.max(a.cacheReadTokens, b.cacheReadTokens),
  };
}

/**
 * Live usage of a run, one entry per model response (message id). The SDK repeats a response's
 * start-of-stream usage on every content block and sends the final counts only in the stream's
 * message_delta, so each id keeps the highest figure seen for each token kind: counting every
 * block would overcount, keeping the first would undercount output.
 */
export class UsageAccumulator {
  private readonly byMessage = new Map<string, ModelTokenUsage>();
  /** The message id of the response currently streaming, per parent tool use (null: main thread). */
  private readonly streaming = new Map<string | null, string>();

  /** `onResponse` hears each response whose figures changed, with its new figures. */
  constructor(private readonly onResponse?: (responseId: string, usage: ModelTokenUsage) => void) {}

  /** Returns true when the totals changed. */
  observe(message: SDKMessage): boolean {
    if (message.type === 'assistant') {
      const { id, model, usage } = message.message;
      return model === '<synthetic>' ? false : this.merge(id, model, fromApiUsage(usage));
    }
    if (message.type !== 'stream_event') return false;
    const event = message.event;
    if (event.type === 'message_start') {
      this.streaming.set(message.parent_tool_use_id, event.message.id);
      return this.merge(event.message.id, event.message.model, fromApiUsage(event.message.usage));
    }
    if (event.type === 'message_delta') {
      const id = this.streaming.get(message.parent_tool_use_id);
      const known = id === undefined ? undefined : this.byMessage.get(id);
      return (
        id !== undefined && known !== undefined && this.merge(id, known.model, fromApiUsage(event.usage))
      );
    }
    return false;
  }

  private merge(id: string, model: string, usage: TokenUsage): boolean {
    const previous = this.byMessage.get(id);
    const next = { model, ...(previous ? maxUsage(previous, usage) : usage) };
    if (previous && sameUsage(previous, next)) return false;
    this.byMessage.set(id, next);
    this.onResponse?.(id, next);
    return true;
  }

  /** Each model response's final figures, in arrival order. */
  responses(): ModelTokenUsage[] {
    return [...this.byMessage.values()];
  }

  get responseCount(): number {
    return this.byMessage.size;
  }

  byModel(): ModelTokenUsage[] {
    const models = new Map<string, ModelTokenUsage>();
    for (const usage of this.byMessage.values()) {
      const sum = models.get(usage.model);
      models.set(usage.model, { model: usage.model, ...addUsage(sum ?? ZERO_USAGE, usage) });
    }
    return [...models.values()];
  }

  totals(): TokenUsage {
    return [...this.byMessage.values()].reduce<TokenUsage>(addUsage, ZERO_USAGE);
  }
}
