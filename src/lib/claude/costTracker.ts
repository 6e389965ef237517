import type { SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import type { ModelCostRecord } from '../contracts/costs';
import { TOKEN_KINDS, type TokenUsage, usdToMicros } from '../contracts/executions';
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

interface PricedResponse {
  model: string;
  usage: TokenUsage;
  costMicros: number;
  priced: boolean;
}

const EMPTY_TALLY: ModelTally = { usage: ZERO_USAGE, costMicros: 0, unpriced: false, responseCount: 0 };

/**
 * A run's cost so far, per model: every response priced on its own (the long-context tier is
 * decided per request), kept per message id so that a response whose figures grow (its final
 * output count arrives last) is repriced alone. Constant time per usage event, however long the run.
 */
export class LiveCost {
  private readonly byResponse = new Map<string, PricedResponse>();
  private readonly byModel = new Map<string, ModelTally>();
  private total = 0;

  /** `at`: the day the run's prices are taken from (its creation). */
  constructor(private readonly at: number) {}

  /** Records a response's current figures (replacing what was recorded for the same id). */
  update(responseId: string, { model, ...usage }: ModelTokenUsage): void {
    const price = priceResponse(model, usage, this.at);
    const before = this.byResponse.get(responseId);
    const now: PricedResponse = { model, usage, costMicros: price.costMicros, priced: price.priced };
    this.byResponse.set(responseId, now);
    if (before) this.tally(before, -1);
    this.tally(now, 1);
    if (!before) this.bump(model, (t) => ({ ...t, responseCount: t.responseCount + 1 }));
  }

  get totalMicros(): number {
    return this.total;
  }

  /** Per model, as cost_tracking stores it. */
  records(): ModelCostRecord[] {
    return [...this.byModel].map(([model, tally]) => toRecord(model, tally));
  }

  tallies(): ReadonlyMap<string, ModelTally> {
    return this.byModel;
  }

  private tally(response: PricedResponse, sign: 1 | -1): void {
    this.total += sign * response.costMicros;
    this.bump(response.model, (t) => ({
      ...t,
      usage: addUsage(t.usage, scaleUsage(response.usage, sign)),
      costMicros: t.costMicros + sign * response.costMicros,
      // Once a response of this model could not be priced, the model's row stays flagged.
      unpriced: t.unpriced || !response.priced,
    }));
  }

  private bump(model: string, change: (tally: ModelTally) => ModelTally): void {
    this.byModel.set(model, change(this.byModel.get(model) ?? EMPTY_TALLY));
  }
}

function scaleUsage(usage: TokenUsage, sign: 1 | -1): TokenUsage {
  return {
    inputTokens: sign * usage.inputTokens,
    outputTokens: sign * usage.outputTokens,
    cacheCreation5mTokens: sign * usage.cacheCreation5mTokens,
    cacheCreation1hTokens: sign * usage.cacheCreation1hTokens,
    cacheReadTokens: sign * usage.cacheReadTokens,
  };
}

/** Every response priced on its own, summed per model. */
function tallyStream(responses: readonly ModelTokenUsage[], at: number): ReadonlyMap<string, ModelTally> {
  const live = new LiveCost(at);
  for (const [index, response] of responses.entries()) live.update(String(index), response);
  return live.tallies();
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
  stream: ReadonlyMap<string, ModelTally>,
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
    const tally = stream.get(model) ?? EMPTY_TALLY;
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

/**
 * Two runs of figures per model as one: a parked run woken after its process ended (or after a
 * restart) adds the new process's figures to what its earlier ones stored.
 */
export function mergeCostRecords(
  earlier: readonly ModelCostRecord[],
  later: readonly ModelCostRecord[],
): ModelCostRecord[] {
  const byModel = new Map(earlier.map((row) => [row.model, row]));
  for (const row of later) {
    const before = byModel.get(row.model);
    if (!before) {
      byModel.set(row.model, row);
      continue;
    }
    const usage = addUsage(before, row);
    byModel.set(row.model, {
      ...usage,
      model: row.model,
      costMicros: before.costMicros + row.costMicros,
      reportedCostMicros: before.reportedCostMicros + row.reportedCostMicros,
      costSource: before.costSource === 'reported' || row.costSource === 'reported' ? 'reported' : 'computed',
      usageSource: before.usageSource === 'result' || row.usageSource === 'result' ? 'result' : 'stream',
      unpriced: before.unpriced || row.unpriced,
      costMismatch: before.costMismatch || row.costMismatch,
      responseCount: before.responseCount + row.responseCount,
    });
  }
  return [...byModel.values()];
}
