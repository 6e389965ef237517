import type { SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { TOKEN_KINDS, type TokenUsage, usdToMicros } from '../contracts/executions';
import type { ModelCostRecord } from '../db/queries/costs';
import { priceResponse, priceUnattributedTokens } from './pricing';
import { addUsage, type ModelTokenUsage, ZERO_USAGE } from './usage';

/** Computed and reported cost further apart than this fraction are flagged. */
export const COST_MISMATCH_TOLERANCE = 0.01;

interface ModelTally {
  usage: TokenUsage;
  costMicros: number;
  unpriced: boolean;
  responseCount: number;
}

/**
 * Prices every response on its own (the long-context tier is decided per request) and sums per
 * model. This is the live figure budgets are checked against while the run streams.
 */
function tallyStream(responses: readonly ModelTokenUsage[], at: number): Map<string, ModelTally> {
  const byModel = new Map<string, ModelTally>();
  for (const { model, ...usage } of responses) {
    const price = priceResponse(model, usage, at);
    const tally = byModel.get(model) ?? {
      usage: ZERO_USAGE,
      costMicros: 0,
      unpriced: false,
      responseCount: 0,
    };
    byModel.set(model, {
      usage: addUsage(tally.usage, usage),
      costMicros: tally.costMicros + price.costMicros,
      unpriced: tally.unpriced || !price.priced,
      responseCount: tally.responseCount + 1,
    });
  }
  return byModel;
}

function toRecord(model: string, tally: ModelTally): ModelCostRecord {
  return {
    model,
    ...tally.usage,
    costMicros: tally.costMicros,
    reportedCostMicros: 0,
    costSource: 'computed',
    usageSource: 'stream',
    unpriced: tally.unpriced,
    costMismatch: false,
    responseCount: tally.responseCount,
  };
}

/** The run's cost so far, per model, from the responses seen on the stream. */
export function liveCostRecords(responses: readonly ModelTokenUsage[], at: number): ModelCostRecord[] {
  return [...tallyStream(responses, at)].map(([model, tally]) => toRecord(model, tally));
}

interface ReportedModel {
  usage: TokenUsage;
  costMicros: number;
}

/** The result messages' per-model usage and cost (one result per attempt), summed. */
function reportedByModel(results: readonly SDKResultMessage[]): Map<string, ReportedModel> {
  const byModel = new Map<string, ReportedModel>();
  for (const result of results) {
    for (const [model, usage] of Object.entries(result.modelUsage ?? {})) {
      const oneHour = usage.cacheCreationEphemeral1hInputTokens ?? 0;
      const reported: TokenUsage = {
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        // The split reads 0 when the API sent no lifetime breakdown; 5 minutes is the API's default.
        cacheCreation5mTokens: Math.max(0, usage.cacheCreationInputTokens - oneHour),
        cacheCreation1hTokens: oneHour,
        cacheReadTokens: usage.cacheReadInputTokens,
      };
      const sum = byModel.get(model) ?? { usage: ZERO_USAGE, costMicros: 0 };
      byModel.set(model, {
        usage: addUsage(sum.usage, reported),
        costMicros: sum.costMicros + usdToMicros(usage.costUSD),
      });
    }
  }
  return byModel;
}

function totalOf(usages: Iterable<TokenUsage>): TokenUsage {
  return [...usages].reduce<TokenUsage>(addUsage, ZERO_USAGE);
}

/**
 * Tokens the result reports that the stream never showed (subagent calls can miss it), per
 * model and kind. Only the run-wide excess per kind is added, so a response the CLI books under
 * another model than the one that answered is not counted twice; cache kinds that the result
 * reports as 0 (some SDK versions do) simply add nothing.
 */
function missingFromStream(
  stream: Map<string, ModelTally>,
  reported: Map<string, ReportedModel>,
): Map<string, TokenUsage> {
  const streamTotal = totalOf([...stream.values()].map((t) => t.usage));
  const reportedTotal = totalOf([...reported.values()].map((r) => r.usage));
  const missing = new Map<string, TokenUsage>();
  for (const kind of TOKEN_KINDS) {
    let excess = reportedTotal[kind] - streamTotal[kind];
    for (const [model, { usage }] of reported) {
      if (excess <= 0) break;
      const extra = Math.min(excess, usage[kind] - (stream.get(model)?.usage[kind] ?? 0));
      if (extra <= 0) continue;
      excess -= extra;
      missing.set(model, { ...(missing.get(model) ?? ZERO_USAGE), [kind]: extra });
    }
  }
  return missing;
}

function differs(computed: number, reported: number): boolean {
  return Math.abs(computed - reported) > COST_MISMATCH_TOLERANCE * Math.max(computed, reported);
}

/**
 * The run's final figures per model: the stream's per-response usage (priced per response),
 * raised to the result messages' totals where those show more, with the SDK's own cost beside
 * ours. Our price table is authoritative; for a model it does not know, the SDK's figure is
 * used and the row is flagged unpriced.
 */
export function reconcileCostRecords(
  responses: readonly ModelTokenUsage[],
  results: readonly SDKResultMessage[],
  at: number,
): ModelCostRecord[] {
  const stream = tallyStream(responses, at);
  if (results.length === 0) return [...stream].map(([model, tally]) => toRecord(model, tally));
  const reported = reportedByModel(results);
  const missing = missingFromStream(stream, reported);
  const models = new Set([...stream.keys(), ...missing.keys()]);
  return [...models].map((model) => {
    const tally = stream.get(model) ?? {
      usage: ZERO_USAGE,
      costMicros: 0,
      unpriced: false,
      responseCount: 0,
    };
    const extra = missing.get(model);
    const extraPrice = extra ? priceUnattributedTokens(model, extra, at) : undefined;
    const unpriced = tally.unpriced || (extraPrice !== undefined && !extraPrice.priced);
    const computed = tally.costMicros + (extraPrice?.costMicros ?? 0);
    const reportedCostMicros = reported.get(model)?.costMicros ?? 0;
    const costMicros = unpriced ? reportedCostMicros : computed;
    return {
      model,
      ...(extra ? addUsage(tally.usage, extra) : tally.usage),
      costMicros,
      reportedCostMicros,
      costSource: unpriced ? 'reported' : 'computed',
      usageSource: extra ? 'result' : 'stream',
      unpriced,
      costMismatch: differs(costMicros, reportedCostMicros),
      responseCount: tally.responseCount,
    };
  });
}
