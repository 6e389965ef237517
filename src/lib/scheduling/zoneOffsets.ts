/**
 * UTC offsets of IANA zones and the instants they change, from the runtime's Intl (browser or
 * Node). Each zone-year is worked out once: its offset is sampled daily and every change is
 * narrowed to the second. That assumes a zone's offset never changes twice within one day, which
 * holds for every zone of the tz database in our era.
 */

const SECOND = 1_000;
const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Wall clock minus UTC at `instant`, in ms (e.g. 3,600,000 in Berlin in winter). */
export function offsetAt(timeZone: string, instant: number): number {
  const part: Record<string, number> = {};
  for (const { type, value } of formatterFor(timeZone).formatToParts(instant)) part[type] = Number(value);
  const wall = Date.UTC(
    part.year ?? 0,
    (part.month ?? 1) - 1,
    part.day ?? 1,
    part.hour ?? 0,
    part.minute ?? 0,
    part.second ?? 0,
  );
  return wall - Math.floor(instant / SECOND) * SECOND;
}

interface ZoneYear {
  /** The offset in force at the start of the (UTC) year. */
  startOffset: number;
  /** Each change in the year: from `at` on, `offset` is in force. */
  changes: { at: number; offset: number }[];
}

/** By zone, then by year. */
const zoneYears = new Map<string, Map<number, ZoneYear>>();

/** The first second in (low, high] whose offset differs from `lowOffset`. */
function narrowChange(timeZone: string, low: number, high: number, lowOffset: number): number {
  let lo = low;
  let hi = high;
  while (hi - lo > SECOND) {
    const mid = lo + Math.floor((hi - lo) / 2 / SECOND) * SECOND;
    if (offsetAt(timeZone, mid) === lowOffset) lo = mid;
    else hi = mid;
  }
  return hi;
}

function zoneYear(timeZone: string, year: number): ZoneYear {
  let years = zoneYears.get(timeZone);
  if (!years) {
    years = new Map();
    zoneYears.set(timeZone, years);
  }
  const cached = years.get(year);
  if (cached) return cached;
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  const startOffset = offsetAt(timeZone, start);
  const changes: ZoneYear['changes'] = [];
  let previous = start;
  let previousOffset = startOffset;
  for (let sample = start + DAY; sample < end + DAY; sample += DAY) {
    const at = Math.min(sample, end - SECOND);
    const offset = offsetAt(timeZone, at);
    if (offset !== previousOffset) {
      changes.push({ at: narrowChange(timeZone, previous, at, previousOffset), offset });
      previousOffset = offset;
    }
    previous = at;
  }
  const entry = { startOffset, changes };
  years.set(year, entry);
  return entry;
}

export interface OffsetSpan {
  /** The offset in force at the instant asked about. */
  offset: number;
  /** When it next changes (exclusive end of the span); at most the end of the following year. */
  until: number;
}

/** Reused to read an instant's year: this runs several times per next slot, in every scheduler tick. */
const yearCursor = new Date(0);

/** The offset at `instant` and how long it holds, without asking Intl once the zone-year is known. */
export function offsetSpanAt(timeZone: string, instant: number): OffsetSpan {
  yearCursor.setTime(instant);
  const year = yearCursor.getUTCFullYear();
  const { startOffset, changes } = zoneYear(timeZone, year);
  let offset = startOffset;
  for (const change of changes) {
    if (change.at > instant) return { offset, until: change.at };
    offset = change.offset;
  }
  const next = zoneYear(timeZone, year + 1);
  // A change in the year's last second shows only as the next year's starting offset.
  if (next.startOffset !== offset) return { offset, until: Date.UTC(year + 1, 0, 1) };
  return { offset, until: next.changes[0]?.at ?? Date.UTC(year + 2, 0, 1) };
}
