import { describe, expect, it } from 'vitest';
import { findPrice, PRICE_TABLE, type PriceEntry, priceResponse } from '../../src/lib/claude/pricing';
import type { TokenUsage } from '../../src/lib/contracts/executions';

/** A price as the pricing page prints it: US dollars per million tokens. */
interface PublishedPrices {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

interface PublishedEntry {
  base: PublishedPrices;
  /** What a request pays on every token once its prompt exceeds `aboveTokens`. */
  longContext?: PublishedPrices & { aboveTokens: number };
}

/**
 * Written out by hand from https://platform.claude.com/docs/en/about-claude/pricing and the model overview
 * pages (read 2026-11-25), independently of PRICE_TABLE, so a wrong figure there fails here.
 * Keyed by canonical model and the day the prices took effect.
 */
const PUBLISHED: Record<string, PublishedEntry> = {
  'claude-haiku-4-5@2025-10-15': {
    base: { input: 1, output: 5, cacheWrite5m: 1.25, cacheWrite1h: 2, cacheRead: 0.1 },
  },
  'claude-haiku-5-5@2026-10-07': {
    base: { input: 0.1, output: 0.5, cacheWrite5m: 0.125, cacheWrite1h: 0.2, cacheRead: 0.01 },
    longContext: {
      aboveTokens: 100_000,
      input: 0.5,
      output: 2.5,
      cacheWrite5m: 0.625,
      cacheWrite1h: 1,
      cacheRead: 0.05,
    },
  },
  'claude-sonnet-4-5@2025-09-29': {
    base: { input: 3, output: 15, cacheWrite5m: 3.75, cacheWrite1h: 6, cacheRead: 0.3 },
    longContext: {
      aboveTokens: 200_000,
      input: 6,
      output: 22.5,
      cacheWrite5m: 7.5,
      cacheWrite1h: 12,
      cacheRead: 0.6,
    },
  },
  'claude-sonnet-4-6@2026-02-17': {
    base: { input: 3, output: 15, cacheWrite5m: 3.75, cacheWrite1h: 6, cacheRead: 0.3 },
    longContext: {
      aboveTokens: 200_000,
      input: 6,
      output: 22.5,
      cacheWrite5m: 7.5,
      cacheWrite1h: 12,
      cacheRead: 0.6,
    },
  },
  'claude-sonnet-4-6@2026-03-13': {
    base: { input: 3, output: 15, cacheWrite5m: 3.75, cacheWrite1h: 6, cacheRead: 0.3 },
  },
  'claude-sonnet-5@2026-06-30': {
    base: { input: 2, output: 10, cacheWrite5m: 2.5, cacheWrite1h: 4, cacheRead: 0.2 },
  },
  'claude-sonnet-5-5@2026-09-28': {
    base: { input: 2, output: 10, cacheWrite5m: 2.5, cacheWrite1h: 4, cacheRead: 0.2 },
  },
  'claude-sonnet-5-5@2026-10-07': {
    base: { input: 2, output: 10, cacheWrite5m: 2.5, cacheWrite1h: 4, cacheRead: 0.1 },
  },
  'claude-opus-4-5@2025-11-24': {
    base: { input: 5, output: 25, cacheWrite5m: 6.25, cacheWrite1h: 10, cacheRead: 0.5 },
  },
  'claude-opus-4-6@2026-02-05': {
    base: { input: 5, output: 25, cacheWrite5m: 6.25, cacheWrite1h: 10, cacheRead: 0.5 },
    longContext: {
      aboveTokens: 200_000,
      input: 10,
      output: 37.5,
      cacheWrite5m: 12.5,
      cacheWrite1h: 20,
      cacheRead: 1,
    },
  },
  'claude-opus-4-6@2026-03-13': {
    base: { input: 5, output: 25, cacheWrite5m: 6.25, cacheWrite1h: 10, cacheRead: 0.5 },
  },
  'claude-opus-4-7@2026-04-16': {
    base: { input: 5, output: 25, cacheWrite5m: 6.25, cacheWrite1h: 10, cacheRead: 0.5 },
  },
  'claude-opus-4-8@2026-05-28': {
    base: { input: 5, output: 25, cacheWrite5m: 6.25, cacheWrite1h: 10, cacheRead: 0.5 },
  },
  'claude-opus-5@2026-07-24': {
    base: { input: 5, output: 25, cacheWrite5m: 6.25, cacheWrite1h: 10, cacheRead: 0.5 },
  },
  'claude-opus-5-5@2026-09-22': {
    base: { input: 4, output: 20, cacheWrite5m: 5, cacheWrite1h: 8, cacheRead: 0.2 },
  },
  'claude-fable-5@2026-06-09': {
    base: { input: 10, output: 50, cacheWrite5m: 12.5, cacheWrite1h: 20, cacheRead: 1 },
  },
  'claude-mythos-5@2026-06-09': {
    base: { input: 10, output: 50, cacheWrite5m: 12.5, cacheWrite1h: 20, cacheRead: 1 },
  },
  'claude-fable-5-1@2026-09-01': {
    base: { input: 10, output: 50, cacheWrite5m: 12.5, cacheWrite1h: 20, cacheRead: 0.25 },
  },
  'claude-mythos-5-1@2026-09-01': {
    base: { input: 10, output: 50, cacheWrite5m: 12.5, cacheWrite1h: 20, cacheRead: 0.25 },
  },
  'claude-fable-5-2@2026-11-09': {
    base: { input: 8, output: 40, cacheWrite5m: 10, cacheWrite1h: 16, cacheRead: 0.2 },
  },
  'claude-mythos-5-2@2026-11-09': {
    base: { input: 8, output: 40, cacheWrite5m: 10, cacheWrite1h: 16, cacheRead: 0.2 },
  },
};

const KIND_FIELD = {
  input: 'inputTokens',
  output: 'outputTokens',
  cacheWrite5m: 'cacheCreation5mTokens',
  cacheWrite1h: 'cacheCreation1hTokens',
  cacheRead: 'cacheReadTokens',
} as const satisfies Record<keyof PublishedPrices, keyof TokenUsage>;
const KINDS = Object.keys(KIND_FIELD) as (keyof PublishedPrices)[];
/** The kinds that make up a request's prompt, which decides the long-context tier. */
const PROMPT_KINDS = KINDS.filter((kind) => kind !== 'output');

const NO_TOKENS: TokenUsage = {
  inputTokens: 0,
  outputTokens: 0,
  cacheCreation5mTokens: 0,
  cacheCreation1hTokens: 0,
  cacheReadTokens: 0,
};
const usage = (tokens: Partial<TokenUsage>): TokenUsage => ({ ...NO_TOKENS, ...tokens });
/** $/MTok is micro-dollars per token, so this is the cost in micro-dollars (exact for whole micros). */
const micros = (usdPerMTok: number, tokens: number) => Math.round(usdPerMTok * tokens);
const keyOf = (entry: PriceEntry) => `${entry.model}@${entry.effectiveFrom}`;
const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const TODAY = day('2026-11-25');

function published(entry: PriceEntry): PublishedEntry {
  const expected = PUBLISHED[keyOf(entry)];
  if (expected === undefined) throw new Error(`No published prices written down for ${keyOf(entry)}`);
  return expected;
}

describe('PRICE_TABLE', () => {
  it('covers exactly the models and price dates written down from the source', () => {
    expect(PRICE_TABLE.map(keyOf).sort()).toEqual(Object.keys(PUBLISHED).sort());
  });

  it('has no two entries answering for the same id on the same day', () => {
    const start = (entry: PriceEntry) => day(entry.effectiveFrom).getTime();
    const end = (entry: PriceEntry) => (entry.until ? day(entry.until).getTime() : Number.POSITIVE_INFINITY);
    for (const [i, a] of PRICE_TABLE.entries()) {
      expect(end(a)).toBeGreaterThan(start(a));
      for (const b of PRICE_TABLE.slice(i + 1)) {
        if (!a.ids.some((id) => b.ids.includes(id))) continue;
        expect(start(a) >= end(b) || start(b) >= end(a), `${keyOf(a)} overlaps ${keyOf(b)}`).toBe(true);
      }
    }
  });

  it('records a source and a check date for every entry, and stores prices as integer micro-dollars', () => {
    for (const entry of PRICE_TABLE) {
      expect(entry.sourceUrl).toMatch(/^https:\/\//);
      expect(entry.checkedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(entry.ids).toContain(entry.model);
      const tiers = [entry.prices, ...(entry.prices.longContext ? [entry.prices.longContext] : [])];
      for (const tier of tiers) {
        for (const kind of KINDS) expect(Number.isSafeInteger(tier[kind])).toBe(true);
        // Cache writes are 1.25x (5 minutes) and 2x (1 hour) the input price on every model.
        expect(tier.cacheWrite5m * 4).toBe(tier.input * 5);
        expect(tier.cacheWrite1h).toBe(tier.input * 2);
      }
    }
  });
});

describe('priceResponse: every entry, every token kind, against the published figures', () => {
  for (const entry of PRICE_TABLE) {
    const at = day(entry.effectiveFrom);

    it(`${keyOf(entry)}: 1,000,000 tokens of each kind alone`, () => {
      const { base, longContext } = published(entry);
      for (const kind of KINDS) {
        // A million prompt tokens is past any long-context threshold, so such models bill them at that tier.
        const tier = longContext && kind !== 'output' ? longContext : base;
        for (const id of entry.ids) {
          expect(priceResponse(id, usage({ [KIND_FIELD[kind]]: 1_000_000 }), at), `${id} ${kind}`).toEqual({
            priced: true,
            costMicros: micros(tier[kind], 1_000_000),
            model: entry.model,
            longContext: tier === longContext,
          });
        }
      }
    });

    const { longContext } = published(entry);
    if (longContext === undefined) continue;

    it(`${keyOf(entry)}: base prices up to ${longContext.aboveTokens} prompt tokens, long-context above`, () => {
      const { base } = published(entry);
      const id = entry.model;
      const threshold = longContext.aboveTokens;
      for (const kind of PROMPT_KINDS) {
        expect(priceResponse(id, usage({ [KIND_FIELD[kind]]: threshold }), at)).toMatchObject({
          costMicros: micros(base[kind], threshold),
          longContext: false,
        });
        expect(priceResponse(id, usage({ [KIND_FIELD[kind]]: threshold + 1 }), at)).toMatchObject({
          costMicros: micros(longContext[kind], threshold + 1),
          longContext: true,
        });
      }
      // Output never counts toward the threshold, but a long prompt moves the output to the higher price too.
      expect(priceResponse(id, usage({ outputTokens: 1_000_000, inputTokens: threshold }), at)).toMatchObject(
        {
          costMicros: micros(base.output, 1_000_000) + micros(base.input, threshold),
          longContext: false,
        },
      );
      expect(
        priceResponse(id, usage({ outputTokens: 1_000_000, inputTokens: threshold + 1 }), at),
      ).toMatchObject({
        costMicros: micros(longContext.output, 1_000_000) + micros(longContext.input, threshold + 1),
        longContext: true,
      });
    });
  }
});

describe('priceResponse: mixed usage and rounding', () => {
  const mixed = usage({
    inputTokens: 1_234,
    outputTokens: 567,
    cacheCreation5mTokens: 89,
    cacheCreation1hTokens: 10,
    cacheReadTokens: 4_321,
  });

  it('sums every kind exactly and rounds once (Sonnet 4.5: 13,897.05 µ$ → 13,897)', () => {
    // 1,234×3 + 567×15 + 89×3.75 + 10×6 + 4,321×0.3 = 3,702 + 8,505 + 333.75 + 60 + 1,296.3
    expect(priceResponse('claude-sonnet-4-5-20250929', mixed, TODAY)).toEqual({
      priced: true,
      costMicros: 13_897,
      model: 'claude-sonnet-4-5',
      longContext: false,
    });
  });

  it('rounds a fractional micro-dollar half up (Opus 4.5: 23,161.75 µ$ → 23,162)', () => {
    // 1,234×5 + 567×25 + 89×6.25 + 10×10 + 4,321×0.5 = 6,170 + 14,175 + 556.25 + 100 + 2,160.5
    expect(priceResponse('claude-opus-4-5', mixed, TODAY).costMicros).toBe(23_162);
  });

  it('prices cheap cache reads to the fraction before rounding (Haiku 5.5 at $0.01/MTok)', () => {
    // 1,234×0.1 + 567×0.5 + 89×0.125 + 10×0.2 + 4,321×0.01 = 123.4 + 283.5 + 11.125 + 2 + 43.21 = 463.235
    expect(priceResponse('claude-haiku-5-5', mixed, TODAY).costMicros).toBe(463);
    expect(priceResponse('claude-haiku-5-5', usage({ cacheReadTokens: 4_321 }), TODAY).costMicros).toBe(43);
    expect(priceResponse('claude-haiku-5-5', usage({ cacheReadTokens: 49 }), TODAY).costMicros).toBe(0);
    expect(priceResponse('claude-haiku-5-5', usage({ cacheReadTokens: 50 }), TODAY).costMicros).toBe(1);
  });

  it('rounds exactly half a micro-dollar up', () => {
    expect(priceResponse('claude-haiku-5-5', usage({ outputTokens: 1 }), TODAY).costMicros).toBe(1);
    expect(priceResponse('claude-opus-4-5', usage({ cacheReadTokens: 3 }), TODAY).costMicros).toBe(2);
  });

  it('rounds the sum, not each kind: fractions below half add up to a whole micro-dollar', () => {
    // Haiku 5.5: 1×0.1 + 2×0.125 + 1×0.2 = 0.55 µ$; rounding each kind first would give 0.
    const cost = priceResponse(
      'claude-haiku-5-5',
      usage({ inputTokens: 1, cacheCreation5mTokens: 2, cacheCreation1hTokens: 1 }),
      TODAY,
    );
    expect(cost.costMicros).toBe(1);
  });

  it('costs nothing for no tokens, and stays exact far beyond one response', () => {
    expect(priceResponse('claude-opus-4-5', NO_TOKENS, TODAY).costMicros).toBe(0);
    const huge = usage({ outputTokens: 3_000_000_000, cacheReadTokens: 7 });
    // 3e9 × 25 + 7 × 0.5 = 75,000,000,003.5 µ$, past float precision for millionths if done in floats
    expect(priceResponse('claude-opus-4-5', huge, TODAY).costMicros).toBe(75_000_000_004);
  });

  it('rejects token counts that are not non-negative integers', () => {
    expect(() => priceResponse('claude-opus-4-5', usage({ inputTokens: -1 }), TODAY)).toThrow(RangeError);
    expect(() => priceResponse('claude-opus-4-5', usage({ outputTokens: 1.5 }), TODAY)).toThrow(RangeError);
    expect(() => priceResponse('claude-opus-4-5', usage({ cacheReadTokens: Number.NaN }), TODAY)).toThrow(
      RangeError,
    );
  });
});

describe('priceResponse: the long-context tier is decided per request', () => {
  const beta = day('2026-01-15'); // Sonnet 4.5's 1M-context beta was open then

  it('prices a 250,000-token Sonnet 4.5 request at the long-context tier, output included', () => {
    expect(
      priceResponse('claude-sonnet-4-5[1m]', usage({ inputTokens: 250_000, outputTokens: 1_000 }), beta),
    ).toEqual({
      priced: true,
      costMicros: 1_500_000 + 22_500,
      model: 'claude-sonnet-4-5',
      longContext: true,
    });
  });

  it('prices a request of exactly 200,000 input tokens at the base tier', () => {
    expect(
      priceResponse('claude-sonnet-4-5', usage({ inputTokens: 200_000, outputTokens: 1_000 }), beta),
    ).toEqual({ priced: true, costMicros: 600_000 + 15_000, model: 'claude-sonnet-4-5', longContext: false });
  });

  it('counts cache reads and cache writes in the prompt size', () => {
    const atThreshold = usage({
      inputTokens: 150_000,
      cacheReadTokens: 30_000,
      cacheCreation5mTokens: 15_000,
      cacheCreation1hTokens: 5_000,
    });
    // 150,000×3 + 30,000×0.3 + 15,000×3.75 + 5,000×6
    expect(priceResponse('claude-sonnet-4-5', atThreshold, beta)).toMatchObject({
      costMicros: 450_000 + 9_000 + 56_250 + 30_000,
      longContext: false,
    });
    const oneOver = { ...atThreshold, cacheCreation1hTokens: 5_001 };
    // 150,000×6 + 30,000×0.6 + 15,000×7.5 + 5,001×12
    expect(priceResponse('claude-sonnet-4-5', oneOver, beta)).toMatchObject({
      costMicros: 900_000 + 18_000 + 112_500 + 60_012,
      longContext: true,
    });
    // 200,000 tokens read from the cache alone, with 1 new input token, is over the threshold too.
    expect(
      priceResponse('claude-sonnet-4-5', usage({ inputTokens: 1, cacheReadTokens: 200_000 }), beta),
    ).toMatchObject({ costMicros: 6 + 120_000, longContext: true });
  });

  it('does not count output tokens toward the threshold', () => {
    expect(priceResponse('claude-sonnet-4-5', usage({ outputTokens: 300_000 }), beta)).toMatchObject({
      costMicros: 4_500_000,
      longContext: false,
    });
  });

  it('charged the 4.6 models the premium until 1M context went GA on 2026-03-13, and not after', () => {
    const long = usage({ inputTokens: 250_000, outputTokens: 1_000 });
    expect(priceResponse('claude-opus-4-6[1m]', long, day('2026-03-12'))).toMatchObject({
      costMicros: 2_500_000 + 37_500,
      longContext: true,
    });
    expect(priceResponse('claude-opus-4-6[1m]', long, day('2026-03-13'))).toMatchObject({
      costMicros: 1_250_000 + 25_000,
      longContext: false,
    });
    expect(priceResponse('claude-sonnet-4-6', long, day('2026-02-20'))).toMatchObject({
      costMicros: 1_500_000 + 22_500,
      longContext: true,
    });
    expect(priceResponse('claude-sonnet-4-6', long, TODAY)).toMatchObject({
      costMicros: 750_000 + 15_000,
      longContext: false,
    });
  });

  it("applies Haiku 5.5's long-prompt tier above 100,000 prompt tokens", () => {
    expect(priceResponse('claude-haiku-5-5', usage({ inputTokens: 100_000 }), TODAY)).toMatchObject({
      costMicros: 10_000,
      longContext: false,
    });
    // 100,001 × 0.5 = 50,000.5 µ$, rounded half up
    expect(priceResponse('claude-haiku-5-5', usage({ inputTokens: 100_001 }), TODAY)).toMatchObject({
      costMicros: 50_001,
      longContext: true,
    });
  });

  it('leaves models without a tier at their one price however long the prompt', () => {
    expect(priceResponse('claude-opus-5-5', usage({ inputTokens: 900_000 }), TODAY)).toEqual({
      priced: true,
      costMicros: 3_600_000,
      model: 'claude-opus-5-5',
      longContext: false,
    });
  });
});

describe('findPrice / priceResponse: model ids', () => {
  const oneInput = usage({ inputTokens: 1_000_000 });

  it.each([
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['claude-sonnet-4-5', 'claude-sonnet-4-5'],
    ['claude-sonnet-4-5[1m]', 'claude-sonnet-4-5'],
    ['claude-sonnet-4-5-20250929[1m]', 'claude-sonnet-4-5'],
    ['claude-haiku-4-5-20251001', 'claude-haiku-4-5'],
    ['claude-haiku-4-5', 'claude-haiku-4-5'],
    ['claude-opus-4-5-20251101', 'claude-opus-4-5'],
    ['claude-opus-4-6-20260205', 'claude-opus-4-6'],
    ['claude-opus-4-6[1m]', 'claude-opus-4-6'],
    ['claude-sonnet-4-6[1m]', 'claude-sonnet-4-6'],
    ['claude-opus-5', 'claude-opus-5'],
    ['claude-opus-5-5', 'claude-opus-5-5'],
    ['claude-fable-5-1[1m]', 'claude-fable-5-1'],
    ['claude-mythos-5-2', 'claude-mythos-5-2'],
  ])('prices %s as %s', (id, canonical) => {
    expect(findPrice(id, TODAY)?.model).toBe(canonical);
    expect(priceResponse(id, oneInput, TODAY)).toMatchObject({ priced: true, model: canonical });
  });

  it.each([
    'claude-sonnet-4-50',
    'claude-sonnet-4',
    'claude-sonnet-4-5-2025092',
    'claude-sonnet-4-5-20250929x',
    'claude-sonnet-4-5-20250929-20250929',
    'claude-haiku-4-5-20251001-20251001',
    'claude-sonnet-4-5[1m][1m]',
    'claude-sonnet-4-5[1M]',
    'claude-haiku-4-5[1m]',
    'claude-opus-4-5[1m]',
    'Claude-Sonnet-4-5',
    ' claude-sonnet-4-5',
    'anthropic/claude-sonnet-4-5',
    'claude-sonnet-4-5@20250929',
    'sonnet',
    'opus',
    'claude-opus-4-1',
    'claude-opus-4-20250514',
    'claude-3-haiku-20240307',
    'claude-3-5-haiku-20241022',
    'claude-3-7-sonnet-20250219',
    'gpt-4o',
    '',
  ])('leaves %j unpriced', (id) => {
    expect(findPrice(id, TODAY)).toBeUndefined();
    expect(priceResponse(id, oneInput, TODAY)).toEqual({ priced: false, costMicros: 0, model: id });
  });
});

describe('findPrice / priceResponse: dates', () => {
  it('leaves a model unpriced before its first entry takes effect', () => {
    const oneOutput = usage({ outputTokens: 1 });
    expect(priceResponse('claude-haiku-5-5', oneOutput, Date.parse('2026-10-06T23:59:59.999Z'))).toEqual({
      priced: false,
      costMicros: 0,
      model: 'claude-haiku-5-5',
    });
    expect(priceResponse('claude-haiku-5-5', oneOutput, Date.parse('2026-10-07T00:00:00Z')).priced).toBe(
      true,
    );
    expect(findPrice('claude-sonnet-4-5', day('2025-09-28'))).toBeUndefined();
    expect(findPrice('claude-fable-5-2', day('2026-11-08'))).toBeUndefined();
  });

  it('takes the price in force on the day: Sonnet 5.5 cache reads before and after the 2026-10-07 cut', () => {
    const reads = usage({ cacheReadTokens: 1_000_000 });
    expect(priceResponse('claude-sonnet-5-5', reads, Date.parse('2026-10-06T23:59:59Z')).costMicros).toBe(
      200_000,
    );
    expect(priceResponse('claude-sonnet-5-5', reads, day('2026-10-07')).costMicros).toBe(100_000);
    expect(findPrice('claude-sonnet-5-5', day('2026-10-06'))?.until).toBe('2026-10-07');
    expect(findPrice('claude-sonnet-5-5', TODAY)?.until).toBeUndefined();
  });

  it('accepts a Date or epoch milliseconds, and leaves an invalid date unpriced', () => {
    expect(findPrice('claude-opus-4-5', TODAY)).toBe(findPrice('claude-opus-4-5', TODAY.getTime()));
    expect(findPrice('claude-opus-4-5', new Date(Number.NaN))).toBeUndefined();
    expect(findPrice('claude-opus-4-5', Number.NaN)).toBeUndefined();
  });

  it('finds each entry by each of its ids on its first day, and the last day before it ends', () => {
    for (const entry of PRICE_TABLE) {
      for (const id of entry.ids) {
        expect(findPrice(id, day(entry.effectiveFrom))).toBe(entry);
        if (entry.until) expect(findPrice(id, day(entry.until).getTime() - 1)).toBe(entry);
      }
    }
  });
});
