/**
 * The one place figures become text, for every page, chart and notification message: money,
 * counts, durations, byte sizes, percentages and dates. Digits are en-US everywhere; dates take
 * the time zone and "now" as arguments, so the server's HTML and the browser's first render agree
 * when given the same ones (see ClockContext).
 */

import type { MetricUnit } from '../contracts/metrics';
import { offsetSpanAt } from '../scheduling/zoneOffsets';

const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const centsFormat = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

// ---------------------------------------------------------------------------------------------
// Money and counts

/** Digits after the point that show `significant` significant digits of a value below 1. */
function fractionDigitsFor(value: number, significant: number): number {
  return Math.max(0, significant - 1 - Math.floor(Math.log10(value)));
}

/**
 * Dollars: zero as `$0`, a cent or more to the cent (`$1,234.56`), less than a cent to four
 * significant digits (`$0.004485`), since a run often costs a fraction of a cent.
 */
export function formatUsd(usd: number): string {
  const sign = usd < 0 ? '-' : '';
  const value = Math.abs(usd);
  if (value === 0) return '$0';
  if (value >= 0.01) return `${sign}$${centsFormat.format(value)}`;
  const digits = fractionDigitsFor(value, 4);
  return `${sign}$${value.toFixed(digits).replace(/0+$/, '')}`;
}

/** To the micro-dollar, the unit costs are stored in: shown on hover beside `formatUsd`. */
export function formatUsdExact(usd: number): string {
  return `${usd < 0 ? '-' : ''}$${Math.abs(usd).toFixed(6)}`;
}

/** A whole count with thousands separators: `15,119`. */
export function formatCount(count: number): string {
  return integerFormat.format(count);
}

/** Large counts in a tight place: `950`, `15.1k`, `2.4M`. */
export function formatCompactCount(count: number): string {
  const value = Math.abs(count);
  if (value < 1_000) return formatCount(count);
  const [divisor, suffix] = value < 1_000_000 ? [1_000, 'k'] : value < 1e9 ? [1_000_000, 'M'] : [1e9, 'B'];
  const scaled = count / divisor;
  return `${Math.abs(scaled) < 10 ? scaled.toFixed(1).replace(/\.0$/, '') : Math.round(scaled)}${suffix}`;
}

// ---------------------------------------------------------------------------------------------
// Durations, sizes and shares

const pad2 = (value: number): string => String(value).padStart(2, '0');

/** `850 ms`, `3.4 s`, `2 m 05 s`, `1 h 02 m`; a dash for an unknown duration. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  const clamped = Math.max(0, ms);
  if (clamped < 1_000) return `${Math.round(clamped)} ms`;
  if (clamped < 60_000) return `${(clamped / 1_000).toFixed(1)} s`;
  const seconds = Math.floor(clamped / 1_000);
  const hours = Math.floor(seconds / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  if (hours >= 48) return `${Math.floor(hours / 24)} d ${pad2(hours % 24)} h`;
  return hours > 0 ? `${hours} h ${pad2(minutes)} m` : `${minutes} m ${pad2(seconds % 60)} s`;
}

/** Offset of a moment from the start of its run: `+1.2 s`, `+2 m 05 s`. */
export function formatOffset(epochMs: number, baseMs: number): string {
  const ms = Math.max(0, epochMs - baseMs);
  return `+${ms < 60_000 ? `${(ms / 1_000).toFixed(1)} s` : formatDuration(ms)}`;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** `1.50 GiB`: binary units, as `free -h` and `df -h` print them. */
export function formatBytes(bytes: number): string {
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${bytes < 0 ? '-' : ''}${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

/**
 * A share 0–1 as a percentage: `42%`, `4.5%`, `0%`. `digits` asks for that many decimals where a
 * threshold is near (`91.2%` against `90%`), without a trailing `.0`.
 */
export function formatPercent(ratio: number, digits?: number): string {
  const percent = ratio * 100;
  if (digits !== undefined) return `${Number(percent.toFixed(digits))}%`;
  return `${percent.toFixed(percent !== 0 && Math.abs(percent) < 10 ? 1 : 0)}%`;
}

/** A host metric's value in its unit (see HOST_METRICS in the metrics contract). */
export function formatMetric(value: number, unit: MetricUnit): string {
  switch (unit) {
    case 'ratio':
      return formatPercent(value);
    case 'load':
      return value.toFixed(2);
    case 'bytes':
      return formatBytes(value);
    case 'bytes_per_second':
      return `${formatBytes(value)}/s`;
  }
}

// ---------------------------------------------------------------------------------------------
// Dates and times

interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: string;
  /** `UTC`, `UTC+1`, `UTC-5:30`. */
  zoneName: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function offsetName(offsetMs: number): string {
  if (offsetMs === 0) return 'UTC';
  const minutes = Math.abs(offsetMs) / 60_000;
  const rest = minutes % 60;
  return `UTC${offsetMs < 0 ? '-' : '+'}${Math.floor(minutes / 60)}${rest === 0 ? '' : `:${pad2(rest)}`}`;
}

/** The wall-clock fields of a moment in an IANA zone (its offsets worked out once per zone-year). */
export function zonedParts(epochMs: number, timeZone: string): ZonedParts {
  const { offset } = offsetSpanAt(timeZone, epochMs);
  const wall = new Date(epochMs + offset);
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    weekday: WEEKDAYS[wall.getUTCDay()] ?? '',
    zoneName: offsetName(offset),
  };
}

/** Whether `name` is an IANA zone this runtime knows. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export interface DateOptions {
  timeZone: string;
  /** Decides whether the year is shown: only when the date is not in this year. */
  now: number;
}

const monthDay = (p: ZonedParts) => `${MONTHS[p.month - 1]} ${p.day}`;
const clock = (p: ZonedParts, seconds: boolean) =>
  `${pad2(p.hour)}:${pad2(p.minute)}${seconds ? `:${pad2(p.second)}` : ''}`;

/** `Dec 4`, or `Dec 4, 2025` when not this year. */
export function formatDay(epochMs: number, { timeZone, now }: DateOptions): string {
  const p = zonedParts(epochMs, timeZone);
  return p.year === zonedParts(now, timeZone).year ? monthDay(p) : `${monthDay(p)}, ${p.year}`;
}

/** `Dec 4, 14:03`, or `Dec 4, 2025, 14:03` when not this year; `seconds` adds them. */
export function formatDateTime(epochMs: number, options: DateOptions & { seconds?: boolean }): string {
  return `${formatDay(epochMs, options)}, ${clock(zonedParts(epochMs, options.timeZone), options.seconds ?? false)}`;
}

/** `14:03` or `14:03:07` on the zone's clock. */
export function formatTimeOfDay(epochMs: number, timeZone: string, seconds = false): string {
  return clock(zonedParts(epochMs, timeZone), seconds);
}

/** Everything about a moment, for a tooltip: `Thu, Dec 4, 2026, 14:03:07 UTC+1`. */
export function formatFullDateTime(epochMs: number, timeZone: string): string {
  const p = zonedParts(epochMs, timeZone);
  return `${p.weekday}, ${monthDay(p)}, ${p.year}, ${clock(p, true)} ${p.zoneName}`;
}

/** `2026-11-25 14:03:07 UTC`: the fixed form of messages sent outside the console (mail, chat). */
export function formatMessageTime(epochMs: number): string {
  const p = zonedParts(epochMs, 'UTC');
  return `${p.year}-${pad2(p.month)}-${pad2(p.day)} ${clock(p, true)} UTC`;
}

/** How long ago (or ahead) a moment is, in words: `just now`, `42 s ago`, `in 5 min`, `3 h ago`, `2 d ago`. */
export function formatRelative(epochMs: number, now: number): string {
  const delta = epochMs - now;
  const abs = Math.abs(delta);
  if (abs < 5_000) return 'just now';
  const text =
    abs < 60_000
      ? `${Math.floor(abs / 1_000)} s`
      : abs < 3_600_000
        ? `${Math.floor(abs / 60_000)} min`
        : abs < 86_400_000
          ? `${Math.floor(abs / 3_600_000)} h`
          : `${Math.floor(abs / 86_400_000)} d`;
  return delta < 0 ? `${text} ago` : `in ${text}`;
}

/** Moments nearer than this read relative (`5 min ago`); older ones as a date. */
export const RELATIVE_WITHIN_MS = 24 * 3_600_000;

/** A moment as lists show it: relative when recent, else `Dec 4, 14:03` (with the year when not this year). */
export function formatWhen(epochMs: number, options: DateOptions): string {
  return Math.abs(options.now - epochMs) < RELATIVE_WITHIN_MS
    ? formatRelative(epochMs, options.now)
    : formatDateTime(epochMs, options);
}

/** A UTC calendar day (`2026-11-25`, as cost reports key them) as `Nov 25`, with the year when not this year. */
export function formatUtcDay(day: string, now: number): string {
  return formatDay(Date.parse(`${day}T00:00:00Z`), { timeZone: 'UTC', now });
}
