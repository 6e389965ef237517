import type { CronFieldCollection } from 'cron-parser';

/**
 * Finds the next wall-clock time that the fields cron-parser parsed match, by integer arithmetic
 * on wall-clock times written as if they were UTC. It knows nothing of zones: `cron.ts` searches
 * one constant-offset span at a time and applies the DST rules between spans. The day rules are
 * cron-parser's (`L`, `nL`, `#n`, and either day field matching when both are restricted), and
 * a test compares the two over thousands of expressions and instants.
 */

const SECOND = 1_000;

/** For each value v of a field, the smallest allowed value ≥ v, or -1 when none is left. */
function nextAllowed(values: readonly (number | string)[], size: number): Int8Array {
  const allowed = new Set(values.filter((v): v is number => typeof v === 'number'));
  const table = new Int8Array(size).fill(-1);
  for (let v = size - 1, next = -1; v >= 0; v--) {
    if (allowed.has(v)) next = v;
    table[v] = next;
  }
  return table;
}

export interface WallMatcher {
  seconds: Int8Array;
  minutes: Int8Array;
  hours: Int8Array;
  days: Int8Array;
  months: Int8Array;
  weekdays: Int8Array;
  /** Every hour is listed: such expressions follow real time across DST changes (see cron.ts). */
  everyHour: boolean;
  dayOfMonthRestricted: boolean;
  dayOfWeekRestricted: boolean;
  /** `L` in the day-of-month field. */
  lastDayOfMonth: boolean;
  /** Weekdays of `nL` entries: the last such weekday of the month. */
  lastWeekdays: ReadonlySet<number>;
  /** `#n`: the listed weekdays only in the month's nth week; 0 for none. */
  nthWeek: number;
}

export function wallMatcher(fields: CronFieldCollection): WallMatcher {
  const { second, minute, hour, dayOfMonth, month, dayOfWeek } = fields;
  // Sunday is 0 or 7 in cron; Date.getUTCDay() says 0. cron-parser reads an `nL` entry's first digit.
  const weekdays = dayOfWeek.values.map((v) => (typeof v === 'number' ? v % 7 : v));
  const lastWeekdays = dayOfWeek.hasLastChar
    ? new Set(dayOfWeek.values.map((v) => Number.parseInt(String(v).charAt(0), 10) % 7))
    : new Set<number>();
  return {
    seconds: nextAllowed(second.values, 60),
    minutes: nextAllowed(minute.values, 60),
    hours: nextAllowed(hour.values, 24),
    days: nextAllowed(dayOfMonth.values, 32),
    months: nextAllowed(month.values, 13),
    weekdays: nextAllowed(weekdays, 7),
    everyHour: hour.values.length === 24,
    dayOfMonthRestricted: !dayOfMonth.isWildcard,
    dayOfWeekRestricted: !dayOfWeek.isWildcard,
    lastDayOfMonth: dayOfMonth.hasLastChar,
    lastWeekdays,
    nthWeek: dayOfWeek.nthDay,
  };
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 1 && leap ? 29 : (MONTH_DAYS[month] ?? 31);
}

function dayMatches(m: WallMatcher, date: Date): boolean {
  const day = date.getUTCDate();
  const weekday = date.getUTCDay();
  const monthLength = daysInMonth(date.getUTCFullYear(), date.getUTCMonth());
  const byDate = m.days[day] === day || (m.lastDayOfMonth && day === monthLength);
  const byWeekday =
    (m.weekdays[weekday] === weekday && (m.nthWeek === 0 || Math.ceil(day / 7) === m.nthWeek)) ||
    (m.lastWeekdays.has(weekday) && day > monthLength - 7);
  // Both restricted: either may match (Vixie cron's rule, and cron-parser's).
  if (m.dayOfMonthRestricted && m.dayOfWeekRestricted) return byDate || byWeekday;
  return m.dayOfWeekRestricted ? byWeekday : byDate;
}

/**
 * One Date, moved to each time the search looks at: a scheduler tick asks for hundreds of next
 * times, and a Date per step was most of what it allocated (and then collected, in its p95).
 */
const cursor = new Date(0);

/** The first whole second after `after` that matches, searching only before `before`; null if none does. */
export function nextWallTime(m: WallMatcher, after: number, before: number): number | null {
  let t = Math.floor(after / SECOND) * SECOND + SECOND;
  const d = cursor;
  while (t < before) {
    d.setTime(t);
    const year = d.getUTCFullYear();
    const month = d.getUTCMonth();
    const day = d.getUTCDate();
    const hour = d.getUTCHours();
    const minute = d.getUTCMinutes();
    const second = d.getUTCSeconds();
    const nextHour = m.hours[hour] ?? -1;
    const nextMinute = m.minutes[minute] ?? -1;
    const nextSecond = m.seconds[second] ?? -1;
    if (m.months[month + 1] !== month + 1) t = Date.UTC(year, month + 1, 1);
    else if (!dayMatches(m, d)) t = Date.UTC(year, month, day + 1);
    else if (nextHour !== hour)
      t = nextHour < 0 ? Date.UTC(year, month, day + 1) : Date.UTC(year, month, day, nextHour);
    else if (nextMinute !== minute)
      t =
        nextMinute < 0 ? Date.UTC(year, month, day, hour + 1) : Date.UTC(year, month, day, hour, nextMinute);
    else if (nextSecond !== second)
      t =
        nextSecond < 0
          ? Date.UTC(year, month, day, hour, minute + 1)
          : Date.UTC(year, month, day, hour, minute, nextSecond);
    else return t;
  }
  return null;
}
