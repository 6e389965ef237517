/**
 * What one Claude API response cost, as a pure function of its token usage, the model and the date.
 *
 * Where the prices come from: Anthropic's published price list,
 * https://platform.claude.com/docs/en/about-claude/pricing (its "Model pricing" and "Long context
 * pricing" sections), and the per-model overview pages under https://platform.claude.com/docs/en/models/,
 * read on 2026-11-25. Each entry records the page it was taken from and the day it was checked; where a
 * figure could only be found in third-party sources, the entry's note says which.
 *
 * The table is dated. An entry applies from `effectiveFrom` (inclusive, UTC midnight) until `until`
 * (exclusive). A price change is a new entry, and the old one gets an `until`, so a response is always
 * priced at what it was billed at on its own day; a model asked for before its first entry is unpriced.
 *
 * Why per response: the long-context tier (Sonnet 4.5, and Sonnet/Opus 4.6 until 2026-03-13) and Haiku
 * 5.5's long-prompt tier are decided per API request, from that request's prompt size (input + cache
 * writes + cache reads), and then apply to every token of that request, output included. Summing usage
 * over a run first and pricing the total would put the wrong requests in the wrong tier.
 *
 * Money is integer micro-dollars (1 USD = 1_000_000). A price in $/MTok is numerically micro-dollars per
 * token, so prices are stored as integer micro-dollars per million tokens ($0.30/MTok is 300_000) and a
 * response's cost is computed exactly (BigInt), summed over all token kinds and rounded once, half up.
 *
 * Not modelled, because TokenUsage does not carry them: the Batch API discount, fast mode, the
 * data-residency multiplier (inference_geo), server-tool charges (web search, code execution), and the
 * partner platforms' own ids and prices (Bedrock, Vertex AI, Foundry).
 *
 * Left out because they are retired on the Claude API and requests to them fail: Claude Opus 4.1
 * (retired 2026-08-05; still on Bedrock and Google Cloud), Opus 4 and Sonnet 4 (2026-06-15), Haiku 3
 * (2026-04-20), Sonnet 3.7 and Haiku 3.5 (2026-02-19), and Opus 3. Sonnet 4.5 is deprecated and retires
 * on 2026-11-30; it is still served, so it stays.
 */
import { TOKEN_KINDS, type TokenUsage } from '../contracts/executions';

/** One price per token kind, in integer micro-dollars per million tokens: $3/MTok is 3_000_000. */
export interface TokenKindPrices {
  input: number;
  output: number;
  /** Writing to the prompt cache with the default 5-minute lifetime. */
  cacheWrite5m: number;
  /** Writing to the prompt cache with the 1-hour lifetime. */
  cacheWrite1h: number;
  /** Cache hits and refreshes. */
  cacheRead: number;
}

/** The prices a request pays when its prompt is larger than `aboveTokens`, on every token it uses. */
export interface LongContextTier extends TokenKindPrices {
  /** Prompt size (input + cache writes + cache reads) the request must exceed; equal is the base tier. */
  aboveTokens: number;
}

/** A model's prices per token kind, plus its long-context tier if it has one. */
export interface ModelPrice extends TokenKindPrices {
  longContext?: LongContextTier;
}

export interface PriceEntry {
  /** Canonical id of the model family, e.g. 'claude-sonnet-4-5'. */
  model: string;
  /** The API ids and aliases this entry answers to. Dated snapshots (`-YYYYMMDD`) of its undated ids match too. */
  ids: readonly string[];
  /** The model has a 1M-token context window, so Claude Code may report it with a `[1m]` suffix. */
  oneMillionContext: boolean;
  /** First day (ISO date, UTC) these prices apply. */
  effectiveFrom: string;
  /** First day (ISO date, UTC) they no longer apply; absent while current. */
  until?: string;
  prices: ModelPrice;
  /** Where the prices were read. */
  sourceUrl: string;
  /** The day the prices were checked against the source (ISO date). */
  checkedOn: string;
  note?: string;
}

export type PricedCost =
  | { priced: true; costMicros: number; model: string; longContext: boolean }
  | { priced: false; costMicros: 0; model: string };

const MICROS_PER_USD = 1_000_000;
const TOKENS_PER_MTOK = 1_000_000n;
const ONE_MILLION_CONTEXT_SUFFIX = '[1m]';
/** An API snapshot id: a family id followed by its release date, e.g. 'claude-haiku-4-5-20251001'. */
const DATED_SNAPSHOT = /^(.+)-(20\d{6})$/;

/** A published $/MTok figure as integer micro-dollars per million tokens; rejects figures finer than that. */
function usdPerMTok(usd: number): number {
  const micros = Math.round(usd * MICROS_PER_USD);
  if (!Number.isFinite(usd) || usd < 0 || Math.abs(micros - usd * MICROS_PER_USD) > 1e-6) {
    throw new Error(`Price ${usd} $/MTok is not a whole number of micro-dollars per million tokens`);
  }
  return micros;
}

type UsdPerMTok = { [K in keyof TokenKindPrices]: number };

/** Prices written as the pricing page prints them ($ per million tokens), stored as integers. */
function perMTok(usd: UsdPerMTok): TokenKindPrices {
  return {
    input: usdPerMTok(usd.input),
    output: usdPerMTok(usd.output),
    cacheWrite5m: usdPerMTok(usd.cacheWrite5m),
    cacheWrite1h: usdPerMTok(usd.cacheWrite1h),
    cacheRead: usdPerMTok(usd.cacheRead),
  };
}

function longContextAbove(aboveTokens: number, usd: UsdPerMTok): LongContextTier {
  return { aboveTokens, ...perMTok(usd) };
}

const CHECKED_ON = '2026-11-25';
const PRICING_PAGE = 'https://platform.claude.com/docs/en/about-claude/pricing';
const LONG_CONTEXT_PRICING = `${PRICING_PAGE}#long-context-pricing`;

/** Sonnet's 1M-context tier: $6 input and $22.50 output, cache prices scaled from the $6 input price. */
const SONNET_LONG_CONTEXT = longContextAbove(200_000, {
  input: 6,
  output: 22.5,
  cacheWrite5m: 7.5,
  cacheWrite1h: 12,
  cacheRead: 0.6,
});

const SONNET_4_PRICES = { input: 3, output: 15, cacheWrite5m: 3.75, cacheWrite1h: 6, cacheRead: 0.3 };
const OPUS_4_5_PRICES = { input: 5, output: 25, cacheWrite5m: 6.25, cacheWrite1h: 10, cacheRead: 0.5 };
const FABLE_5_PRICES = { input: 10, output: 50, cacheWrite5m: 12.5, cacheWrite1h: 20, cacheRead: 1 };
const FABLE_5_1_PRICES = { input: 10, output: 50, cacheWrite5m: 12.5, cacheWrite1h: 20, cacheRead: 0.25 };
const FABLE_5_2_PRICES = { input: 8, output: 40, cacheWrite5m: 10, cacheWrite1h: 16, cacheRead: 0.2 };
const SONNET_5_PRICES = { input: 2, output: 10, cacheWrite5m: 2.5, cacheWrite1h: 4, cacheRead: 0.2 };
const FABLE_5_2_SOURCE = 'https://docs.apiyi.com/news/claude-fable-5-2-launch.md';
const FABLE_5_2_NOTE =
  'Released 2026-11-09. No Anthropic page listing it was found; prices from resellers quoting Anthropic list ' +
  'prices ($8/$40, cache read $0.20, 5m write $10; 1h write $16 from the rightsize v0.10.2 release notes).';

export const PRICE_TABLE: readonly PriceEntry[] = [
  // Haiku
  {
    model: 'claude-haiku-4-5',
    ids: ['claude-haiku-4-5', 'claude-haiku-4-5-20251001'],
    oneMillionContext: false,
    effectiveFrom: '2025-10-15',
    prices: perMTok({ input: 1, output: 5, cacheWrite5m: 1.25, cacheWrite1h: 2, cacheRead: 0.1 }),
    sourceUrl: PRICING_PAGE,
    checkedOn: CHECKED_ON,
  },
  {
    model: 'claude-haiku-5-5',
    ids: ['claude-haiku-5-5'],
    oneMillionContext: true,
    effectiveFrom: '2026-10-07',
    prices: {
      ...perMTok({ input: 0.1, output: 0.5, cacheWrite5m: 0.125, cacheWrite1h: 0.2, cacheRead: 0.01 }),
      longContext: longContextAbove(100_000, {
        input: 0.5,
        output: 2.5,
        cacheWrite5m: 0.625,
        cacheWrite1h: 1,
        cacheRead: 0.05,
      }),
    },
    sourceUrl: 'https://platform.claude.com/docs/en/models/haiku-5-5/overview',
    checkedOn: CHECKED_ON,
    note:
      'Priced by prompt length: a prompt over 100K tokens pays 5x on every token of that request. The stored ' +
      'page was cut short after the input price; the other figures agree across the kurofune/claudit v1.9.2 ' +
      'and TheKrush/PromptFuel v1.0.23 release notes and apidog.com/blog/how-to-use-claude-haiku-5-5-api.',
  },

  // Sonnet
  {
    model: 'claude-sonnet-4-5',
    ids: ['claude-sonnet-4-5', 'claude-sonnet-4-5-20250929'],
    oneMillionContext: true,
    effectiveFrom: '2025-09-29',
    prices: { ...perMTok(SONNET_4_PRICES), longContext: SONNET_LONG_CONTEXT },
    sourceUrl: LONG_CONTEXT_PRICING,
    checkedOn: CHECKED_ON,
    note: 'Deprecated, retires 2026-11-30. Its 1M-context beta ended 2026-04-30 (larger prompts now fail).',
  },
  {
    model: 'claude-sonnet-4-6',
    ids: ['claude-sonnet-4-6'],
    oneMillionContext: true,
    effectiveFrom: '2026-02-17',
    until: '2026-03-13',
    prices: { ...perMTok(SONNET_4_PRICES), longContext: SONNET_LONG_CONTEXT },
    sourceUrl: LONG_CONTEXT_PRICING,
    checkedOn: CHECKED_ON,
    note: 'Launched with the 1M-context premium above 200K prompt tokens; it ended with 1M context GA.',
  },
  {
    model: 'claude-sonnet-4-6',
    ids: ['claude-sonnet-4-6'],
    oneMillionContext: true,
    effectiveFrom: '2026-03-13',
    prices: perMTok(SONNET_4_PRICES),
    sourceUrl: LONG_CONTEXT_PRICING,
    checkedOn: CHECKED_ON,
    note: 'The full 1M window at standard prices since 1M context GA (https://claude.com/blog/1m-context-ga).',
  },
  {
    model: 'claude-sonnet-5',
    ids: ['claude-sonnet-5'],
    oneMillionContext: true,
    effectiveFrom: '2026-06-30',
    prices: perMTok(SONNET_5_PRICES),
    sourceUrl: 'https://platform.claude.com/docs/zh-CN/models/sonnet-5/overview',
    checkedOn: CHECKED_ON,
    note: 'The $2/$10 launch price became permanent; the planned 2026-09-01 rise to $3/$15 was cancelled.',
  },
  {
    model: 'claude-sonnet-5-5',
    ids: ['claude-sonnet-5-5'],
    oneMillionContext: true,
    effectiveFrom: '2026-09-28',
    until: '2026-10-07',
    prices: perMTok(SONNET_5_PRICES),
    sourceUrl: 'https://platform.claude.com/docs/zh-CN/models/sonnet-5-5/overview',
    checkedOn: CHECKED_ON,
  },
  {
    model: 'claude-sonnet-5-5',
    ids: ['claude-sonnet-5-5'],
    oneMillionContext: true,
    effectiveFrom: '2026-10-07',
    prices: perMTok({ ...SONNET_5_PRICES, cacheRead: 0.1 }),
    sourceUrl: PRICING_PAGE,
    checkedOn: CHECKED_ON,
    note:
      'Cache reads cut from $0.20 to $0.10 on 2026-10-07. Anthropic page for the cut not found; taken from ' +
      'the kurofune/claudit v1.9.2 and TheKrush/PromptFuel v1.0.23 release notes, which agree.',
  },

  // Opus
  {
    model: 'claude-opus-4-5',
    ids: ['claude-opus-4-5', 'claude-opus-4-5-20251101'],
    oneMillionContext: false,
    effectiveFrom: '2025-11-24',
    prices: perMTok(OPUS_4_5_PRICES),
    sourceUrl: PRICING_PAGE,
    checkedOn: CHECKED_ON,
  },
  {
    model: 'claude-opus-4-6',
    ids: ['claude-opus-4-6'],
    oneMillionContext: true,
    effectiveFrom: '2026-02-05',
    until: '2026-03-13',
    prices: {
      ...perMTok(OPUS_4_5_PRICES),
      longContext: longContextAbove(200_000, {
        input: 10,
        output: 37.5,
        cacheWrite5m: 12.5,
        cacheWrite1h: 20,
        cacheRead: 1,
      }),
    },
    sourceUrl: 'https://www.anthropic.com/news/claude-opus-4-6',
    checkedOn: CHECKED_ON,
    note: 'Launched with a $10/$37.50 premium above 200K prompt tokens; it ended with 1M context GA.',
  },
  {
    model: 'claude-opus-4-6',
    ids: ['claude-opus-4-6'],
    oneMillionContext: true,
    effectiveFrom: '2026-03-13',
    prices: perMTok(OPUS_4_5_PRICES),
    sourceUrl: LONG_CONTEXT_PRICING,
    checkedOn: CHECKED_ON,
    note: 'The full 1M window at standard prices since 1M context GA (https://claude.com/blog/1m-context-ga).',
  },
  {
    model: 'claude-opus-4-7',
    ids: ['claude-opus-4-7'],
    oneMillionContext: true,
    effectiveFrom: '2026-04-16',
    prices: perMTok(OPUS_4_5_PRICES),
    sourceUrl: PRICING_PAGE,
    checkedOn: CHECKED_ON,
  },
  {
    model: 'claude-opus-4-8',
    ids: ['claude-opus-4-8'],
    oneMillionContext: true,
    effectiveFrom: '2026-05-28',
    prices: perMTok(OPUS_4_5_PRICES),
    sourceUrl: PRICING_PAGE,
    checkedOn: CHECKED_ON,
  },
  {
    model: 'claude-opus-5',
    ids: ['claude-opus-5'],
    oneMillionContext: true,
    effectiveFrom: '2026-07-24',
    prices: perMTok(OPUS_4_5_PRICES),
    sourceUrl: PRICING_PAGE,
    checkedOn: CHECKED_ON,
  },
  {
    model: 'claude-opus-5-5',
    ids: ['claude-opus-5-5'],
    oneMillionContext: true,
    effectiveFrom: '2026-09-22',
    prices: perMTok({ input: 4, output: 20, cacheWrite5m: 5, cacheWrite1h: 8, cacheRead: 0.2 }),
    sourceUrl: 'https://platform.claude.com/docs/zh-CN/models/opus-5-5/overview',
    checkedOn: CHECKED_ON,
    note: 'Cache reads are 0.05x input, not the usual 0.1x.',
  },

  // Fable, and Mythos: the same model with other safeguards, for verified organisations, at the same prices.
  {
    model: 'claude-fable-5',
    ids: ['claude-fable-5'],
    oneMillionContext: true,
    effectiveFrom: '2026-06-09',
    prices: perMTok(FABLE_5_PRICES),
    sourceUrl: PRICING_PAGE,
    checkedOn: CHECKED_ON,
  },
  {
    model: 'claude-mythos-5',
    ids: ['claude-mythos-5'],
    oneMillionContext: true,
    effectiveFrom: '2026-06-09',
    prices: perMTok(FABLE_5_PRICES),
    sourceUrl: PRICING_PAGE,
    checkedOn: CHECKED_ON,
  },
  {
    model: 'claude-fable-5-1',
    ids: ['claude-fable-5-1'],
    oneMillionContext: true,
    effectiveFrom: '2026-09-01',
    prices: perMTok(FABLE_5_1_PRICES),
    sourceUrl: PRICING_PAGE,
    checkedOn: CHECKED_ON,
    note: 'Cache reads are 0.025x input, not the usual 0.1x.',
  },
  {
    model: 'claude-mythos-5-1',
    ids: ['claude-mythos-5-1'],
    oneMillionContext: true,
    effectiveFrom: '2026-09-01',
    prices: perMTok(FABLE_5_1_PRICES),
    sourceUrl: PRICING_PAGE,
    checkedOn: CHECKED_ON,
    note: 'Cache reads are 0.025x input, not the usual 0.1x.',
  },
  {
    model: 'claude-fable-5-2',
    ids: ['claude-fable-5-2'],
    oneMillionContext: true,
    effectiveFrom: '2026-11-09',
    prices: perMTok(FABLE_5_2_PRICES),
    sourceUrl: FABLE_5_2_SOURCE,
    checkedOn: CHECKED_ON,
    note: FABLE_5_2_NOTE,
  },
  {
    model: 'claude-mythos-5-2',
    ids: ['claude-mythos-5-2'],
    oneMillionContext: true,
    effectiveFrom: '2026-11-09',
    prices: perMTok(FABLE_5_2_PRICES),
    sourceUrl: FABLE_5_2_SOURCE,
    checkedOn: CHECKED_ON,
    note: FABLE_5_2_NOTE,
  },
];

interface IndexedEntry {
  entry: PriceEntry;
  ids: ReadonlySet<string>;
  /** The undated ids, whose `-YYYYMMDD` snapshots also match. */
  familyIds: ReadonlySet<string>;
  fromMs: number;
  untilMs: number | undefined;
}

const INDEXED: readonly IndexedEntry[] = PRICE_TABLE.map((entry) => ({
  entry,
  ids: new Set(entry.ids),
  familyIds: new Set(entry.ids.filter((id) => !DATED_SNAPSHOT.test(id))),
  fromMs: Date.parse(entry.effectiveFrom),
  untilMs: entry.until === undefined ? undefined : Date.parse(entry.until),
}));

function epochMs(at: Date | number): number {
  return typeof at === 'number' ? at : at.getTime();
}

/**
 * The price entry for a model id on a date: an exact id or alias, a dated snapshot of one, either with
 * the `[1m]` suffix if the model has a 1M context window. Nothing looser: unknown ids are undefined.
 */
export function findPrice(model: string, at: Date | number): PriceEntry | undefined {
  const time = epochMs(at);
  if (!Number.isFinite(time)) return undefined;
  const wantsOneMillion = model.endsWith(ONE_MILLION_CONTEXT_SUFFIX);
  const id = wantsOneMillion ? model.slice(0, -ONE_MILLION_CONTEXT_SUFFIX.length) : model;
  const snapshotOf = DATED_SNAPSHOT.exec(id)?.[1];

  let found: IndexedEntry | undefined;
  for (const candidate of INDEXED) {
    if (wantsOneMillion && !candidate.entry.oneMillionContext) continue;
    const matches =
      candidate.ids.has(id) || (snapshotOf !== undefined && candidate.familyIds.has(snapshotOf));
    if (!matches || time < candidate.fromMs) continue;
    if (candidate.untilMs !== undefined && time >= candidate.untilMs) continue;
    if (found === undefined || candidate.fromMs > found.fromMs) found = candidate;
  }
  return found?.entry;
}

/** The tokens a request sent as its prompt, which is what the long-context tier is decided on. */
function promptTokens(usage: TokenUsage): number {
  return (
    usage.inputTokens + usage.cacheCreation5mTokens + usage.cacheCreation1hTokens + usage.cacheReadTokens
  );
}

function assertTokenCounts(usage: TokenUsage): void {
  for (const kind of TOKEN_KINDS) {
    const count = usage[kind];
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new RangeError(`Token count ${kind} must be a non-negative integer, got ${String(count)}`);
    }
  }
}

/**
 * Cost of ONE model response (one API request): the long-context tier applies when that request's input
 * (input + cache writes + cache reads) exceeds the model's threshold (200k for the models that have a
 * 1M-context tier). Exact integer arithmetic, rounded once, half up, to whole micro-dollars.
 * Throws a RangeError if a token count is not a non-negative integer.
 */
export function priceResponse(model: string, usage: TokenUsage, at: Date | number): PricedCost {
  assertTokenCounts(usage);
  const entry = findPrice(model, at);
  if (entry === undefined) return { priced: false, costMicros: 0, model };

  const tier = entry.prices.longContext;
  const longContext = tier !== undefined && promptTokens(usage) > tier.aboveTokens;
  const prices: TokenKindPrices = longContext && tier !== undefined ? tier : entry.prices;
  return { priced: true, costMicros: costAt(prices, usage), model: entry.model, longContext };
}

/**
 * Cost of tokens whose requests are unknown (a result message's totals that no streamed response
 * accounted for): priced at the base tier, since no single request's prompt size is known.
 */
export function priceUnattributedTokens(model: string, usage: TokenUsage, at: Date | number): PricedCost {
  assertTokenCounts(usage);
  const entry = findPrice(model, at);
  if (entry === undefined) return { priced: false, costMicros: 0, model };
  return { priced: true, costMicros: costAt(entry.prices, usage), model: entry.model, longContext: false };
}

function costAt(prices: TokenKindPrices, usage: TokenUsage): number {
  // Tokens × micro-dollars per million tokens: the exact cost in millionths of a micro-dollar.
  const costMillionthsOfMicros =
    BigInt(usage.inputTokens) * BigInt(prices.input) +
    BigInt(usage.outputTokens) * BigInt(prices.output) +
    BigInt(usage.cacheCreation5mTokens) * BigInt(prices.cacheWrite5m) +
    BigInt(usage.cacheCreation1hTokens) * BigInt(prices.cacheWrite1h) +
    BigInt(usage.cacheReadTokens) * BigInt(prices.cacheRead);
  return Number((costMillionthsOfMicros + TOKENS_PER_MTOK / 2n) / TOKENS_PER_MTOK);
}
