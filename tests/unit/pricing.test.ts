import { describe, expect, it } from 'vitest';
import {
  CACHE_PRICE_KINDS,
  cheapestCurrentModel,
  findPrice,
  PRICE_KINDS,
  PRICE_TABLE,
  type PriceEntry,
  parsePriceData,
  priceResponse,
  priceUnattributedTokens,
  type TokenKindPrices,
} from '../../src/lib/claude/pricing';
import type { TokenUsage } from '../../src/lib/contracts/executions';

const KIND_FIELD = {
  input: 'inputTokens',
  output: 'outputTokens',
  cacheWrite5m: 'cacheCreation5mTokens',
  cacheWrite1h: 'cacheCreation1hTokens',
  cacheRead: 'cacheReadTokens',
} as const satisfies Record<keyof TokenKindPrices, keyof TokenUsage>;
/** The kinds that make up a request's prompt, which decides the long-context tier. */
const PROMPT_KINDS = PRICE_KINDS.filter((kind) => kind !== 'output');
/** Anthropic's cache prices as a fraction of the input price: [numerator, denominator]. */
const CACHE_MULTIPLIER = { cacheWrite5m: [5, 4], cacheWrite1h: [2, 1], cacheRead: [1, 10] } as const;

const NO_TOKENS: TokenUsage = {
  inputTokens: 0,
  outputTokens: 0,
  cacheCreation5mTokens: 0,
  cacheCreation1hTokens: 0,
  cacheReadTokens: 0,
};
const usage = (tokens: Partial<TokenUsage>): TokenUsage => ({ ...NO_TOKENS, ...tokens });
const keyOf = (entry: PriceEntry) => `${entry.model}@${entry.effectiveFrom}`;
const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const TODAY = day('2026-11-25');
const tiersOf = (entry: PriceEntry): TokenKindPrices[] =>
  entry.prices.longContext ? [entry.prices, entry.prices.longContext] : [entry.prices];
/** Micro-dollars for `tokens` at a price in micro-dollars per MTok (exact while the product stays below 2^53). */
const micros = (microsPerMTok: number, tokens: number) => Math.round((microsPerMTok * tokens) / 1_000_000);

describe('the price table (prices.json)', () => {
  it('has no two entries answering for the same id on the same day', () => {
    const start = (entry: PriceEntry) => day(entry.effectiveFrom).getTime();
    const end = (entry: PriceEntry) => (entry.until ? day(entry.until).getTime() : Number.POSITIVE_INFINITY);
    for (const [i, a] of PRICE_TABLE.entries()) {
      expect(end(a), keyOf(a)).toBeGreaterThan(start(a));
      for (const b of PRICE_TABLE.slice(i + 1)) {
        if (!a.ids.some((id) => b.ids.includes(id))) continue;
        expect(start(a) >= end(b) || start(b) >= end(a), `${keyOf(a)} overlaps ${keyOf(b)}`).toBe(true);
      }
    }
  });

  it('prices every token kind above zero, in whole micro-dollars per million tokens, on every tier', () => {
    for (const entry of PRICE_TABLE) {
      for (const tier of tiersOf(entry)) {
        for (const kind of PRICE_KINDS) {
          expect(Number.isSafeInteger(tier[kind]), `${keyOf(entry)} ${kind}`).toBe(true);
          expect(tier[kind], `${keyOf(entry)} ${kind}`).toBeGreaterThan(0);
        }
      }
    }
  });

  it('keeps cache prices at 1.25x (5m), 2x (1h) and 0.1x (read) input, or lists why not', () => {
    for (const entry of PRICE_TABLE) {
      for (const kind of CACHE_PRICE_KINDS) {
        const [numerator, denominator] = CACHE_MULTIPLIER[kind];
        const usual = tiersOf(entry).every((tier) => tier[kind] * denominator === tier.input * numerator);
        const exception = entry.cacheMultiplierExceptions?.[kind];
        if (usual)
          expect(exception, `${keyOf(entry)} ${kind} is usual but listed as an exception`).toBeUndefined();
        else expect(exception, `${keyOf(entry)} ${kind} is unusual and needs a reason`).toMatch(/\w/);
      }
    }
  });

  it('gives each long-context tier a positive threshold and at least the base price for every kind', () => {
    const withTiers = PRICE_TABLE.flatMap((entry) =>
      entry.prices.longContext ? [{ entry, tier: entry.prices.longContext }] : [],
    );
    expect(withTiers.map(({ entry }) => keyOf(entry))).toContain('claude-sonnet-4-5@2025-09-29');
    for (const { entry, tier } of withTiers) {
      expect(Number.isSafeInteger(tier.aboveTokens), keyOf(entry)).toBe(true);
      expect(tier.aboveTokens, keyOf(entry)).toBeGreaterThan(0);
      for (const kind of PRICE_KINDS) {
        expect(tier[kind], `${keyOf(entry)} ${kind}`).toBeGreaterThanOrEqual(entry.prices[kind]);
      }
    }
  });

  it('lists every dated snapshot beside its undated id, and prices unlisted snapshots as that entry', () => {
    for (const entry of PRICE_TABLE) {
      for (const id of entry.ids) {
        const family = /^(.+)-20\d{6}$/.exec(id)?.[1];
        if (family !== undefined) expect(entry.ids, `${keyOf(entry)} ${id}`).toContain(family);
        else expect(findPrice(`${id}-20991231`, day(entry.effectiveFrom)), `${id}-20991231`).toBe(entry);
      }
    }
  });
});

describe('parsePriceData', () => {
  const TIER = { input: 6, output: 22.5, cacheWrite5m: 7.5, cacheWrite1h: 12, cacheRead: 0.6 };
  const ENTRY = {
    model: 'claude-test-1',
    ids: ['claude-test-1', 'claude-test-1-20260101'],
    oneMillionContext: true,
    effectiveFrom: '2026-01-01',
    prices: {
      input: 3,
      output: 15,
      cacheWrite5m: 3.75,
      cacheWrite1h: 6,
      cacheRead: 0.000001,
      longContext: { aboveTokens: 200_000, ...TIER },
    },
    sourceUrl: 'https://platform.claude.com/docs/en/about-claude/pricing',
    checkedOn: '2026-01-02',
  };
  const fileOf = (...entries: unknown[]) => ({
    unit: 'USD per million tokens',
    entries,
    knownDifferences: [],
  });
  const { cacheRead: _dropped, ...pricesWithoutCacheRead } = ENTRY.prices;

  it('reads $/MTok figures as integer micro-dollars per million tokens', () => {
    const [entry] = parsePriceData(fileOf(ENTRY)).entries;
    expect(entry?.prices).toEqual({
      input: 3_000_000,
      output: 15_000_000,
      cacheWrite5m: 3_750_000,
      cacheWrite1h: 6_000_000,
      cacheRead: 1,
      longContext: {
        aboveTokens: 200_000,
        input: 6_000_000,
        output: 22_500_000,
        cacheWrite5m: 7_500_000,
        cacheWrite1h: 12_000_000,
        cacheRead: 600_000,
      },
    });
  });

  it.each([
    [
      'a price finer than a micro-dollar',
      { prices: { ...ENTRY.prices, input: 3.0000005 } },
      /whole number of micro-dollars[\s\S]*prices\.input/,
    ],
    ['a missing token kind', { prices: pricesWithoutCacheRead }, /prices\.cacheRead/],
    ['a zero price', { prices: { ...ENTRY.prices, output: 0 } }, /prices\.output/],
    [
      'a misspelt token kind',
      { prices: { ...ENTRY.prices, cacheWrite5M: 3.75 } },
      /Unrecognized key: "cacheWrite5M"/,
    ],
    [
      'a tier without a threshold',
      { prices: { ...ENTRY.prices, longContext: { ...TIER, aboveTokens: 0 } } },
      /longContext\.aboveTokens/,
    ],
    ['a day that does not exist', { effectiveFrom: '2026-02-30' }, /effectiveFrom/],
    ['an end before the start', { until: '2025-12-31' }, /until must be after effectiveFrom/],
    ['a model that is not one of its ids', { model: 'claude-test-2' }, /model must be one of ids/],
    ['a source that is not https', { sourceUrl: 'http://example.com/pricing' }, /sourceUrl/],
    [
      'a cache exception for a kind that is not cached',
      { cacheMultiplierExceptions: { output: 'why' } },
      /cacheMultiplierExceptions/,
    ],
  ])('rejects %s, naming the entry', (_case, change, message) => {
    const bad = { ...ENTRY, ...change };
    const name = `price entry 1 \\(${bad.model} from ${bad.effectiveFrom}\\)`;
    expect(() => parsePriceData(fileOf(ENTRY, bad))).toThrow(new RegExp(name));
    expect(() => parsePriceData(fileOf(ENTRY, bad))).toThrow(message);
  });

  it('rejects a file in other units, and a known difference about a field we do not compare', () => {
    expect(() => parsePriceData({ ...fileOf(ENTRY), unit: 'micro-dollars per token' })).toThrow(
      /Invalid price file[\s\S]*unit/,
    );
    const difference = { model: 'claude-test-1', field: 'cacheWrite', ours: 1, genaiPrices: 2, reason: 'r' };
    expect(() => parsePriceData({ ...fileOf(ENTRY), knownDifferences: [difference] })).toThrow(
      /knownDifferences/,
    );
  });
});

describe('cheapestCurrentModel', () => {
  it('picks Haiku 5.5 from its first day, 2026-10-07, and Haiku 4.5 before it', () => {
    expect(cheapestCurrentModel(TODAY)).toBe('claude-haiku-5-5');
    expect(cheapestCurrentModel(day('2026-10-07'))).toBe('claude-haiku-5-5');
    expect(cheapestCurrentModel(Date.parse('2026-10-06T23:59:59.999Z'))).toBe('claude-haiku-4-5');
  });

  it('never picks a deprecated model, and throws when nothing else is priced', () => {
    // Before Haiku 4.5 (2025-10-15), only Sonnet 4.5 was priced, and it is retiring.
    expect(findPrice('claude-sonnet-4-5', day('2025-10-01'))).toBeDefined();
    expect(() => cheapestCurrentModel(day('2025-10-01'))).toThrow(RangeError);
    expect(() => cheapestCurrentModel(Number.NaN)).toThrow(RangeError);
  });

  it('answers, on every day a price takes effect, a model priced then with no cheaper current one', () => {
    const inputPlusOutput = (entry: PriceEntry) => entry.prices.input + entry.prices.output;
    for (const at of PRICE_TABLE.map((entry) => day(entry.effectiveFrom))) {
      const current = PRICE_TABLE.filter((e) => findPrice(e.model, at) === e && e.retiresOn === undefined);
      if (current.length === 0) {
        expect(() => cheapestCurrentModel(at)).toThrow(RangeError);
        continue;
      }
      const chosen = cheapestCurrentModel(at);
      const lowest = Math.min(...current.map(inputPlusOutput));
      expect(current.filter((e) => e.model === chosen).map(inputPlusOutput), at.toISOString()).toEqual([
        lowest,
      ]);
    }
  });
});

describe('priceResponse: every long-context tier is decided on its threshold', () => {
  for (const entry of PRICE_TABLE) {
    const tier = entry.prices.longContext;
    if (tier === undefined) continue;
    const at = day(entry.effectiveFrom);

    it(`${keyOf(entry)}: base prices up to ${tier.aboveTokens} prompt tokens, the tier above`, () => {
      const threshold = tier.aboveTokens;
      for (const kind of PROMPT_KINDS) {
        expect(priceResponse(entry.model, usage({ [KIND_FIELD[kind]]: threshold }), at)).toMatchObject({
          costMicros: micros(entry.prices[kind], threshold),
          longContext: false,
        });
        expect(priceResponse(entry.model, usage({ [KIND_FIELD[kind]]: threshold + 1 }), at)).toMatchObject({
          costMicros: micros(tier[kind], threshold + 1),
          longContext: true,
        });
      }
      // Output never counts toward the threshold, but a long prompt moves the output to the tier's price too.
      const longPrompt = usage({ outputTokens: 1_000_000, inputTokens: threshold + 1 });
      expect(priceResponse(entry.model, longPrompt, at).costMicros).toBe(
        tier.output + micros(tier.input, threshold + 1),
      );
      // Tokens of unknown requests are priced at the base tier, however many.
      expect(priceUnattributedTokens(entry.model, longPrompt, at)).toMatchObject({
        costMicros: entry.prices.output + micros(entry.prices.input, threshold + 1),
        longContext: false,
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
