/**
 * Our price table against the one bundled in @pydantic/genai-prices, a second, independently kept list.
 * Only the bundled data is read (calcPrice without updatePrices never fetches). Every disagreement must be
 * fixed in prices.json or listed in its `knownDifferences` with a reason, and every listed one must still
 * exist, so the list stays true when either side changes.
 */
import { calcPrice, type ModelPrice as GenaiModelPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import {
  type ComparedPriceField,
  KNOWN_PRICE_DIFFERENCES,
  PRICE_KINDS,
  PRICE_TABLE,
  type PriceEntry,
  type PriceKind,
} from '../../src/lib/claude/pricing';
import { microsToUsd, usdToMicros } from '../../src/lib/contracts/executions';

/** genai-prices' price key for each of our token kinds. */
const GENAI_KEY = {
  input: 'input_mtok',
  output: 'output_mtok',
  cacheWrite5m: 'cache_write_mtok',
  cacheWrite1h: 'cache_write_1h_mtok',
  cacheRead: 'cache_read_mtok',
} as const satisfies Record<PriceKind, string>;

const ABOVE_TOKENS: ComparedPriceField = 'longContext.aboveTokens';

/** A step of a tiered price: genai-prices applies `price` when the prompt is above `start`, as we do. */
interface Tier {
  start: number;
  price: number;
}

interface Disagreement {
  /** Model, field and both figures: what knownDifferences lists. */
  what: string;
  /** Which genai-prices model answered for which of our ids, and when. */
  where: string;
}

/** Figures compare as integers: micro-dollars per MTok for prices, tokens for thresholds. */
function describeFigure(field: ComparedPriceField, figure: number | null): string {
  if (figure === null) return 'none';
  return field === ABOVE_TOKENS ? `${figure} tokens` : `$${microsToUsd(figure)}/MTok`;
}

function describeDifference(
  model: string,
  field: ComparedPriceField,
  ours: number | null,
  theirs: number | null,
) {
  return `${model} ${field}: ours ${describeFigure(field, ours)}, genai-prices ${describeFigure(field, theirs)}`;
}

function theirPrice(
  price: GenaiModelPrice,
  kind: PriceKind,
): { base: number | null; tiers: readonly Tier[] } {
  const value = price[GENAI_KEY[kind]];
  if (value === undefined) return { base: null, tiers: [] };
  if (typeof value === 'number') return { base: usdToMicros(value), tiers: [] };
  return { base: usdToMicros(value.base), tiers: value.tiers };
}

/** Every field where our entry and genai-prices' price for the same id and day disagree. */
function differences(entry: PriceEntry, theirs: GenaiModelPrice): string[] {
  const found: string[] = [];
  const compare = (field: ComparedPriceField, ours: number | null, their: number | null) => {
    if (ours !== their) found.push(describeDifference(entry.model, field, ours, their));
  };
  const ourTiers = entry.prices.longContext ? [entry.prices.longContext] : [];
  for (const kind of PRICE_KINDS) {
    const { base, tiers } = theirPrice(theirs, kind);
    compare(kind, entry.prices[kind], base);
    for (let i = 0; i < Math.max(ourTiers.length, tiers.length); i++) {
      const their = tiers[i];
      compare(ABOVE_TOKENS, ourTiers[i]?.aboveTokens ?? null, their?.start ?? null);
      compare(`longContext.${kind}`, ourTiers[i]?.[kind] ?? null, their ? usdToMicros(their.price) : null);
    }
  }
  return found;
}

/** Days inside an entry's range: its first, and its last moment when it has an end. */
function daysIn(entry: PriceEntry): Date[] {
  const from = new Date(`${entry.effectiveFrom}T00:00:00Z`);
  return entry.until === undefined ? [from] : [from, new Date(Date.parse(`${entry.until}T00:00:00Z`) - 1)];
}

function compareAll(): { compared: Set<string>; disagreements: Disagreement[] } {
  const compared = new Set<string>();
  const disagreements: Disagreement[] = [];
  for (const entry of PRICE_TABLE) {
    for (const id of entry.ids) {
      for (const at of daysIn(entry)) {
        const result = calcPrice({}, id, { providerId: 'anthropic', timestamp: at });
        if (result === null) continue;
        compared.add(entry.model);
        const where = `${id} priced by genai-prices as ${result.model.id} on ${at.toISOString()}`;
        for (const what of differences(entry, result.model_price)) disagreements.push({ what, where });
      }
    }
  }
  return { compared, disagreements };
}

const LISTED = KNOWN_PRICE_DIFFERENCES.map(({ model, field, ours, genaiPrices }) => {
  const asInteger = (figure: number | null) =>
    figure === null || field === ABOVE_TOKENS ? figure : usdToMicros(figure);
  return describeDifference(model, field, asInteger(ours), asInteger(genaiPrices));
});

describe('prices.json against @pydantic/genai-prices', () => {
  const { compared, disagreements } = compareAll();

  it('finds the models both tables price', () => {
    for (const model of ['claude-haiku-4-5', 'claude-sonnet-4-5', 'claude-opus-4-5', 'claude-opus-4-6']) {
      expect(compared, model).toContain(model);
    }
  });

  it('agrees on every price of every model both price, except the listed known differences', () => {
    const unexplained = disagreements
      .filter(({ what }) => !LISTED.includes(what))
      .map(({ what, where }) => `${what} (${where})`);
    expect(unexplained).toEqual([]);
  });

  it('lists only differences that still exist', () => {
    const found = new Set(disagreements.map(({ what }) => what));
    expect(LISTED.filter((what) => !found.has(what))).toEqual([]);
  });
});
