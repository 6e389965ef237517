import { CronExpressionParser } from 'cron-parser';
import cronstrue from 'cronstrue';
import { nextWallTime, type WallMatcher, wallMatcher } from './wallClock';
import { offsetSpanAt } from './zoneOffsets';

/**
 * Cron for schedules, imported by the browser too (the form shows the API's field errors).
 * cron-parser 5 parses and validates; the times are computed here from its parsed fields
 * (wallClock.ts) and the zone's offsets (zoneOffsets.ts), because cron-parser's own `next()`
 * fires a gap slot an hour late (02:30 → 03:30), loops out on zones with 30-minute changes
 * (Australia/Lord_Howe), and costs 30–360 µs a call in a zone. Semantics, pinned by
 * tests/unit/cron.test.ts:
 * - 5 fields, or 6 with seconds first; the macros below; `@reboot` and `H` are refused.
 * - Times are computed in the schedule's IANA zone and returned as UTC epoch ms.
 * - A fixed-time slot inside a spring-forward gap fires once, at the first valid time after the
 *   gap: 02:30 on a night that jumps from 02:00 to 03:00 fires at 03:00.
 * - A fixed-time slot inside the repeated autumn hour fires once, the first time round.
 * - An expression that lists every hour (hourly, every 30 minutes) follows real time instead: it
 *   has no slot in the gap, and fires in both copies of the repeated hour.
 * - Always stepped forward from a stored time (cron-parser's `prev()` has an open bug, #378).
 */

export const CRON_MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const FIELD_NAMES = ['second', 'minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;

/** Macros expanded, whitespace collapsed: the form cron-parser and cronstrue are given. */
function expand(expression: string): string {
  const text = expression.trim().replace(/\s+/g, ' ');
  return CRON_MACROS[text.toLowerCase()] ?? text;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The one field cron-parser refuses when parsed alone, or null when only the combination fails. */
function refusedField(fields: string[]): string | null {
  const offset = 6 - fields.length;
  for (const [index, field] of fields.entries()) {
    const probe = ['0', '*', '*', '*', '*', '*'];
    probe[index + offset] = field;
    try {
      CronExpressionParser.parse(probe.join(' '));
    } catch (error) {
      return `${FIELD_NAMES[index + offset]} field "${field}": ${errorText(error)}`;
    }
  }
  return null;
}

/** Why an expression is refused, in words; null when it is a valid schedule. */
export function cronExpressionIssue(expression: string): string | null {
  const text = expression.trim();
  if (text === '') return 'A cron expression is required';
  if (text.startsWith('@') && !(text.toLowerCase() in CRON_MACROS)) {
    return text.toLowerCase() === '@reboot'
      ? '@reboot is not supported: schedules run at times, not when the server starts'
      : `Unknown macro ${text}; use @hourly, @daily, @weekly, @monthly, @yearly or five fields`;
  }
  const fields = expand(text).split(' ');
  if (fields.length !== 5 && fields.length !== 6) {
    return `Expected 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first; got ${fields.length}`;
  }
  const hashed = fields.findIndex((field) => /(^|,)H/.test(field));
  if (hashed >= 0) {
    return `${FIELD_NAMES[hashed + 6 - fields.length]} field: H (a hashed value) is not supported; use jitterSeconds to spread runs`;
  }
  try {
    // One next() too: an expression can parse yet never match a date.
    CronExpressionParser.parse(fields.join(' '), { tz: 'UTC' }).next();
    return null;
  } catch (error) {
    return refusedField(fields) ?? `The fields do not fit together: ${errorText(error)}`;
  }
}

/** Why a time zone is refused; null for a zone this runtime knows. */
export function timeZoneIssue(timeZone: string): string | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timeZone.trim() });
    return null;
  } catch {
    return `Unknown time zone "${timeZone}"; use an IANA name such as Europe/Berlin or UTC`;
  }
}

/** The zone's canonical spelling ('europe/berlin' → 'Europe/Berlin'). Call only on a valid zone. */
export function normalizeTimeZone(timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: timeZone.trim() }).resolvedOptions().timeZone;
}

/** This runtime's zone: the server's on the server, the browser's in the browser. */
export function localTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The expression said in words, e.g. "At 09:00, Monday through Friday". */
export function describeCron(expression: string): string {
  return cronstrue.toString(expand(expression), {
    use24HourTimeFormat: true,
    throwExceptionOnParseError: false,
  });
}

/** A valid expression compiled for one zone. Build it with `compileCron`, which caches. */
export class CompiledCron {
  private readonly matcher: WallMatcher;

  constructor(
    readonly expression: string,
    readonly timeZone: string,
  ) {
    this.matcher = wallMatcher(CronExpressionParser.parse(expand(expression)).fields);
  }

  /**
   * The first slot strictly after `after` (epoch ms); slots fall on whole seconds. Searches one
   * constant-offset span of the zone at a time, where wall clock and instants correspond one to one.
   */
  nextAfter(after: number): number {
    let at = after;
    let afterWall = after + offsetSpanAt(this.timeZone, after).offset;
    for (;;) {
      const { offset, until } = offsetSpanAt(this.timeZone, at);
      const wall = nextWallTime(this.matcher, afterWall, until + offset);
      if (wall !== null) return wall - offset;
      const nextOffset = offsetSpanAt(this.timeZone, until).offset;
      if (nextOffset > offset && !this.matcher.everyHour) {
        // Spring forward: wall times [until + offset, until + nextOffset) never happen. A fixed-time
        // slot among them fires at the first valid time after the gap, the moment of the change.
        if (nextWallTime(this.matcher, until + offset - 1, until + nextOffset) !== null) return until;
      }
      // Fall back: wall times [until + nextOffset, until + offset) happen twice. A fixed-time slot
      // fired the first time; an every-hour expression also fires the second, a later real hour.
      const repeats = nextOffset < offset && !this.matcher.everyHour;
      afterWall = (repeats ? until + offset : until + nextOffset) - 1;
      at = until;
    }
  }

  /** The next `count` slots after `after`. */
  nextSlots(after: number, count: number): number[] {
    const slots: number[] = [];
    for (let slot = after; slots.length < count; ) {
      slot = this.nextAfter(slot);
      slots.push(slot);
    }
    return slots;
  }
}

const compiled = new Map<string, CompiledCron>();
const COMPILED_CACHE_SIZE = 2_000;

/** A compiled expression, cached per expression and zone. Throws on an invalid one: validate first. */
export function compileCron(expression: string, timeZone: string): CompiledCron {
  const key = `${expression}\u0000${timeZone}`;
  let entry = compiled.get(key);
  if (!entry) {
    if (compiled.size >= COMPILED_CACHE_SIZE) compiled.clear();
    entry = new CompiledCron(expression, timeZone);
    compiled.set(key, entry);
  }
  return entry;
}

/** The next `count` slots after `after`, as epoch ms. */
export function nextRuns(expression: string, timeZone: string, after: number, count: number): number[] {
  return compileCron(expression, timeZone).nextSlots(after, count);
}
