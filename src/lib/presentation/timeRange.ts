/**
 * Pure helpers of the range pickers: the value a `datetime-local` input shows for an instant (in
 * the browser's zone, as the input itself reads it) and back.
 */

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-12-04T08:30` for an instant, in the zone the input reads (the browser's). */
export function localInputValue(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The instant a `datetime-local` value names, or null when it is empty or not a date. */
export function parseLocalInput(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  const at = new Date(value).getTime();
  return Number.isNaN(at) ? null : at;
}

/** What is wrong with a from–to pair, or null: both given, the end after the start. */
export function rangeIssue(from: number | null, to: number | null): string | null {
  if (from === null) return 'Give the start';
  if (to === null) return 'Give the end';
  return to > from ? null : 'The end must be after the start';
}
