import type { SessionKey, SessionStore, SessionStoreEntry } from '@anthropic-ai/claude-agent-sdk';
import { execute, type Plan, transaction } from '../db/plan';
import {
  appendSessionEntries,
  listSessionSubpaths,
  loadSessionEntries,
  transcriptFacts,
} from '../db/queries/sessions';
import type { Store } from '../db/store';
import type { SecretMasker } from '../security/secrets';

/**
 * ClaudeOps keeps every session's transcript in its own database through the SDK's SessionStore:
 * Claude Code still writes its JSONL file, and mirrors each line here. A resume loads it from here,
 * so a continue does not depend on the CLI's retention, its config directory or the run's working
 * directory. Keys are the session id alone: the SDK's project key is derived from the working
 * directory, which differs between a run and its continue.
 */
export function transcriptStore(store: Store, masker: SecretMasker): SessionStore {
  const subpathOf = (key: SessionKey) => key.subpath ?? '';
  return {
    async append(key, entries) {
      if (entries.length === 0) return;
      const now = Date.now();
      const lines = entries.map((entry) => ({
        uuid: typeof entry.uuid === 'string' ? entry.uuid : null,
        // Tool output can carry a secret (an agent that prints its environment): masked like the steps.
        entry: masker.mask(JSON.stringify(entry)),
        at: (entry.timestamp && Date.parse(entry.timestamp)) || now,
      }));
      await transaction(store, (tx) => appendSessionEntries(tx, key.sessionId, subpathOf(key), lines));
    },
    async load(key) {
      const lines = await execute(store, loadSessionEntries(store, key.sessionId, subpathOf(key)));
      return lines.length === 0 ? null : lines.map((line) => JSON.parse(line) as SessionStoreEntry);
    },
    async listSubkeys({ sessionId }) {
      return execute(store, listSessionSubpaths(store, sessionId));
    },
  };
}

export interface TranscriptSummary {
  entries: number;
  lastAt: number | null;
  /** The context the last model call sent: its input, cache read and cache write tokens. */
  contextTokens: number;
}

interface AssistantLine {
  type?: unknown;
  message?: {
    usage?: {
      input_tokens?: number;
      cache_read_input_tokens?: number;
      cache_creation_input_tokens?: number;
      output_tokens?: number;
    };
  };
}

/** The context a transcript's last model call carried, plus its answer: what a resume sends again. */
function contextOf(recent: readonly string[]): number {
  for (const line of recent) {
    const parsed = JSON.parse(line) as AssistantLine;
    const usage = parsed.type === 'assistant' ? parsed.message?.usage : undefined;
    if (!usage) continue;
    return (
      (usage.input_tokens ?? 0) +
      (usage.cache_read_input_tokens ?? 0) +
      (usage.cache_creation_input_tokens ?? 0) +
      (usage.output_tokens ?? 0)
    );
  }
  return 0;
}

/** What a session's kept transcript holds: how many entries, the last one's time, the context it carries. */
export function* transcriptSummary(store: Store, sessionId: string): Plan<TranscriptSummary> {
  const facts = yield* transcriptFacts(store, sessionId);
  return { entries: facts.entries, lastAt: facts.lastAt, contextTokens: contextOf(facts.recent) };
}
