/**
 * What one Claude API response cost, as a pure function of its token usage, the model and the date.
 *
 * The prices are data: `prices.json`, beside this file, parsed with zod once when this module loads. They
 * come from Anthropic's published price list, https://platform.claude.com/docs/en/about-claude/pricing (its
 * "Model pricing" and "Long context pricing" sections), and the per-model overview pages under
 * https://platform.claude.com/docs/en/models/. Each entry records the page it was taken from and the day it
 * was checked; where a figure could only be found in third-party sources, the entry's note says which.
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
 * token, so the file's $/MTok figures are loaded as integer micro-dollars per million tokens ($0.30/MTok
 * is 300_000; a figure finer than that is rejected) and a response's cost is computed exactly (BigInt),
 * summed over all token kinds and rounded once, half up.
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
import { z } from 'zod';
import { TOKEN_KINDS, type TokenUsage, usdToMicros } from '../contracts/executions';
import priceFile from './prices.json' with { type: 'json' };

export const PRICE_KINDS = ['input', 'output', 'cacheWrite5m', 'cacheWrite1h', 'cacheRead'] as const;
export type PriceKind = (typeof PRICE_KINDS)[number];
export const CACHE_PRICE_KINDS = ['cacheWrite5m', 'cacheWrite1h', 'cacheRead'] as const;

const MICROS_PER_USD = 1_000_000;

/** A $/MTok figure is stored as micro-dollars per million tokens, so it must be a whole number of those. */
function isWholeMicros(usd: number): boolean {
  const micros = usd * MICROS_PER_USD;
  return Number.isSafeInteger(Math.round(micros)) && Math.abs(micros - Math.round(micros)) <= 1e-6;
}

/** A price as the pricing page prints it ($ per million tokens), loaded as integer micro-dollars per MTok. */
const MICROS_PER_MTOK = z
  .number()
  .positive()
  .refine(isWholeMicros, 'must be a whole number of micro-dollars per million tokens')
  .transform(usdToMicros);

/** One price per token kind, in integer micro-dollars per million tokens: $3/MTok is 3_000_000. */
const TOKEN_KIND_PRICES = z.strictObject({
  input: MICROS_PER_MTOK,
  output: MICROS_PER_MTOK,
  /** Writing to the prompt cache with the default 5-minute lifetime. */
  cacheWrite5m: MICROS_PER_MTOK,
  /** Writing to the prompt cache with the 1-hour lifetime. */
  cacheWrite1h: MICROS_PER_MTOK,
  /** Cache hits and refreshes. */
  cacheRead: MICROS_PER_MTOK,
});

/** The prices a request pays when its prompt is larger than `aboveTokens`, on every token it uses. */
const LONG_CONTEXT_TIER = TOKEN_KIND_PRICES.extend({
  /** Prompt size (input + cache writes + cache reads) the request must exceed; equal is the base tier. */
  aboveTokens: z.int().positive(),
});

/** A model's prices per token kind, plus its long-context tier if it has one. */
const MODEL_PRICE = TOKEN_KIND_PRICES.extend({ longContext: LONG_CONTEXT_TIER.optional() });

const ISO_DAY = z.iso.date();

const PRICE_ENTRY = z
  .strictObject({
    /** Canonical id of the model family, e.g. 'claude-sonnet-4-5'. */
    model: z.string().min(1),
    /** The API ids and aliases this entry answers to. Dated snapshots (`-YYYYMMDD`) of its undated ids match too. */
    ids: z.array(z.string().min(1)).min(1).readonly(),
    /** The model has a 1M-token context window, so Claude Code may report it with a `[1m]` suffix. */
    oneMillionContext: z.boolean(),
    /** First day (ISO date, UTC) these prices apply. */
    effectiveFrom: ISO_DAY,
    /** First day (ISO date, UTC) they no longer apply; absent while current. */
    until: ISO_DAY.optional(),
    /** The day the model stops being served; set once Anthropic announces it (the model is deprecated). */
    retiresOn: ISO_DAY.optional(),
    prices: MODEL_PRICE,
    /** Cache prices that are not the usual multiple of the input price (5m 1.25x, 1h 2x, read 0.1x), and why. */
    cacheMultiplierExceptions: z.partialRecord(z.enum(CACHE_PRICE_KINDS), z.string().min(1)).optional(),
    /** Where the prices were read. */
    sourceUrl: z.url({ protocol: /^https$/ }),
    /** The day the prices were checked against the source (ISO date). */
    checkedOn: ISO_DAY,
    note: z.string().min(1).optional(),
  })
  .refine((entry) => entry.ids.includes(entry.model), { message: 'model must be one of ids', path: ['ids'] })
  .refine((entry) => new Set(entry.ids).size === entry.ids.length, {
    message: 'ids must not repeat',
    path: ['ids'],
  })
  .refine((entry) => entry.until === undefined || entry.until > entry.effectiveFrom, {
    message: 'until must be after effectiveFrom',
    path: ['until'],
  });

/** The figures compared with @pydantic/genai-prices: every token kind's price, and the long-context tier's. */
const COMPARED_PRICE_FIELDS = [
  ...PRICE_KINDS,
  'longContext.aboveTokens',
  'longContext.input',
  'longContext.output',
  'longContext.cacheWrite5m',
  'longContext.cacheWrite1h',
  'longContext.cacheRead',
] as const;

/** A figure of ours that @pydantic/genai-prices gives otherwise, and why ours stands. */
const KNOWN_DIFFERENCE = z
  .strictObject({
    model: z.string().min(1),
    field: z.enum(COMPARED_PRICE_FIELDS),
    /** $/MTok for a price, tokens for `aboveTokens`; null where that side has no such figure. */
    ours: z.number().nonnegative().nullable(),
    genaiPrices: z.number().nonnegative().nullable(),
    reason: z.string().min(1),
  })
  .refine((difference) => difference.ours !== difference.genaiPrices, 'ours and genaiPrices are the same');

const PRICE_FILE = z.strictObject({
  /** Says what the figures are, so nobody writes micro-dollars or $/token into the file. */
  unit: z.literal('USD per million tokens'),
  /** Parsed one by one below, so an error can name the entry. */
  entries: z.array(z.unknown()).min(1),
  knownDifferences: z.array(KNOWN_DIFFERENCE),
});

export type TokenKindPrices = z.output<typeof TOKEN_KIND_PRICES>;
export type LongContextTier = z.output<typeof LONG_CONTEXT_TIER>;
export type ModelPrice = z.output<typeof MODEL_PRICE>;
export type PriceEntry = z.output<typeof PRICE_ENTRY>;
export type KnownPriceDifference = z.output<typeof KNOWN_DIFFERENCE>;
export type ComparedPriceField = KnownPriceDifference['field'];

export interface PriceData {
  entries: readonly PriceEntry[];
  knownDifferences: readonly KnownPriceDifference[];
}

export type PricedCost =
  | { priced: true; costMicros: number; model: string; longContext: boolean }
  | { priced: false; costMicros: 0; model: string };

function parseOrThrow<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  what: string,
): z.output<Schema> {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`Invalid ${what} in prices.json:\n${z.prettifyError(result.error)}`);
  return result.data;
}

const ENTRY_NAME = z.object({ model: z.string(), effectiveFrom: z.string() });

function entryLabel(entry: unknown, index: number): string {
  const name = ENTRY_NAME.safeParse(entry);
  const label = `price entry ${index}`;
  return name.success ? `${label} (${name.data.model} from ${name.data.effectiveFrom})` : label;
}

/**
 * The contents of prices.json, validated: each price a positive whole number of micro-dollars per million
 * tokens, every token kind present, real dates, https sources. Throws an Error naming the bad entry.
 */
export function parsePriceData(raw: unknown): PriceData {
  const file = parseOrThrow(PRICE_FILE, raw, 'price file');
  return {
    entries: file.entries.map((entry, index) => parseOrThrow(PRICE_ENTRY, entry, entryLabel(entry, index))),
    knownDifferences: file.knownDifferences,
  };
}

const PRICE_DATA = parsePriceData(priceFile);
export const PRICE_TABLE: readonly PriceEntry[] = PRICE_DATA.entries;
/** Where @pydantic/genai-prices disagrees with us and we are not wrong; kept true by its comparison test. */
export const KNOWN_PRICE_DIFFERENCES: readonly KnownPriceDifference[] = PRICE_DATA.knownDifferences;

const TOKENS_PER_MTOK = 1_000_000n;
const ONE_MILLION_CONTEXT_SUFFIX = '[1m]';
/** An API snapshot id: a family id followed by its release date, e.g. 'claude-haiku-4-5-20251001'. */
const DATED_SNAPSHOT = /^(.+)-(20\d{6})$/;

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

function inForce(candidate: IndexedEntry, time: number): boolean {
  return time >= candidate.fromMs && (candidate.untilMs === undefined || time < candidate.untilMs);
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
    if (!matches || !inForce(candidate, time)) continue;
    if (found === undefined || candidate.fromMs > found.fromMs) found = candidate;
  }
  return found?.entry;
}

function inputPlusOutput(candidate: IndexedEntry): number {
  return candidate.entry.prices.input + candidate.entry.prices.output;
}

/** Cheaper first; at the same price the newer entry, then the smaller id, so the answer never depends on order. */
function isBetterBuy(candidate: IndexedEntry, best: IndexedEntry): boolean {
  const byPrice = inputPlusOutput(candidate) - inputPlusOutput(best);
  if (byPrice !== 0) return byPrice < 0;
  if (candidate.fromMs !== best.fromMs) return candidate.fromMs > best.fromMs;
  return candidate.entry.model < best.entry.model;
}

/**
 * The canonical id of the cheapest model (base input + output price) priced at `at` that is not
 * deprecated (no announced retirement). Throws a RangeError if the date is invalid or no such model exists.
 */
export function cheapestCurrentModel(at: Date | number): string {
  const time = epochMs(at);
  let best: IndexedEntry | undefined;
  for (const candidate of INDEXED) {
    if (candidate.entry.retiresOn !== undefined || !inForce(candidate, time)) continue;
    if (best === undefined || isBetterBuy(candidate, best)) best = candidate;
  }
  if (best === undefined) throw new RangeError(`No current, non-deprecated model is priced at ${time}`);
  return best.entry.model;
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
