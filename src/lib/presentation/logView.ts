import { eastAsianWidth } from 'get-east-asian-width';
import type { LogLineDto } from '@/lib/contracts/executions';

/**
 * Pure parts of the log reader: where each row sits when lines wrap, what a search finds, which
 * lines a selection covers. The log is monospace and wraps at any character (`word-break:
 * break-all`), so a line's height follows from its length and the columns that fit: no row has
 * to be measured in the DOM, and 100k lines lay out in one pass.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC.
const ANSI_SEQUENCE = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

/** A line without its ANSI colour codes: what the reader sees, searches and copies. */
export const plainText = (text: string): string =>
  text.includes('\u001b') ? text.replace(ANSI_SEQUENCE, '') : text;

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
// Printable ASCII, the common case: one column a character.
const NARROW_ONLY = /^[\x20-\x7e]*$/;
const PICTOGRAPH = /\p{Extended_Pictographic}/u;
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}]+$/u;

/**
 * Columns one grapheme takes in the monospace log: 2 for East Asian wide and fullwidth characters
 * (CJK, Hangul, kana) and for emoji (a pictograph drawn as emoji, alone or in a ZWJ sequence), 0
 * for marks and controls on their own, 1 otherwise. Wide glyphs come from fallback fonts at
 * about 1 em, within two columns of 0.6 em: counting 2 never underestimates the row.
 */
export function graphemeColumns(grapheme: string): number {
  const first = grapheme.codePointAt(0);
  if (first === undefined || ZERO_WIDTH.test(grapheme)) return 0;
  if (eastAsianWidth(first) === 2) return 2;
  if (PICTOGRAPH.test(grapheme) && (grapheme.includes('\uFE0F') || grapheme.includes('\u200D'))) return 2;
  return 1;
}

/**
 * Screen rows a line takes when wrapped at `columns` columns (at least one). The log wraps at any
 * character, but never inside one: a wide character that does not fit starts the next row.
 */
export function wrappedRows(text: string, columns: number): number {
  const plain = plainText(text);
  const width = Math.max(1, columns);
  if (NARROW_ONLY.test(plain)) return Math.max(1, Math.ceil(plain.length / width));
  let rows = 1;
  let used = 0;
  for (const { segment } of graphemes.segment(plain)) {
    const taken = graphemeColumns(segment);
    if (used + taken > width && used > 0) {
      rows += 1;
      used = taken;
    } else used += taken;
  }
  return rows;
}

/**
 * Where each line starts, in rows: `starts[i]` is the first row of line i and `starts[n]` the total.
 * Without wrapping (`columns` null) every line is one row.
 */
export function rowStarts(lines: readonly LogLineDto[], columns: number | null): Uint32Array {
  const starts = new Uint32Array(lines.length + 1);
  let row = 0;
  for (let i = 0; i < lines.length; i++) {
    starts[i] = row;
    row += columns === null ? 1 : wrappedRows((lines[i] as LogLineDto).text, columns);
  }
  starts[lines.length] = row;
  return starts;
}

/** The line on row `row` (the last one whose start is at or above it). */
export function lineAtRow(starts: Uint32Array, row: number): number {
  let low = 0;
  let high = starts.length - 2;
  if (high < 0) return 0;
  while (low < high) {
    const mid = (low + high + 1) >>> 1;
    if ((starts[mid] as number) <= row) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** Indices of the lines holding `query` (any case); none for an empty query. */
export function findMatches(lines: readonly LogLineDto[], query: string): number[] {
  const needle = query.toLowerCase();
  if (needle === '') return [];
  const found: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (
      plainText((lines[i] as LogLineDto).text)
        .toLowerCase()
        .includes(needle)
    )
      found.push(i);
  }
  return found;
}

/** Index of the first `error` line, or -1. */
export const firstErrorLine = (lines: readonly LogLineDto[]): number =>
  lines.findIndex((line) => line.level === 'error');

/** The match after (or before) the current one, wrapping around the ends. */
export function stepMatch(current: number, count: number, direction: 1 | -1): number {
  if (count === 0) return -1;
  if (current < 0) return direction === 1 ? 0 : count - 1;
  return (current + direction + count) % count;
}

/** A selection of lines, by index: a click picks one, a shift-click stretches it to another. */
export interface LineSelection {
  anchor: number;
  focus: number;
}

export function selectLine(current: LineSelection | null, index: number, extend: boolean): LineSelection {
  return extend && current ? { anchor: current.anchor, focus: index } : { anchor: index, focus: index };
}

export const selectionBounds = ({ anchor, focus }: LineSelection): [number, number] => [
  Math.min(anchor, focus),
  Math.max(anchor, focus),
];

/** The text of the selected lines, one per line, colour codes left out: what Copy puts on the clipboard. */
export function selectedText(lines: readonly LogLineDto[], selection: LineSelection): string {
  const [from, to] = selectionBounds(selection);
  return lines
    .slice(from, to + 1)
    .map((line) => plainText(line.text))
    .join('\n');
}

/** Pieces of `text` with the matches of `query` (any case) marked, for highlighting. */
export function splitByMatch(text: string, query: string): { text: string; match: boolean }[] {
  if (query === '') return [{ text, match: false }];
  const lower = text.toLowerCase();
  const needle = query.toLowerCase();
  const parts: { text: string; match: boolean }[] = [];
  let at = 0;
  for (let found = lower.indexOf(needle); found !== -1; found = lower.indexOf(needle, at)) {
    if (found > at) parts.push({ text: text.slice(at, found), match: false });
    parts.push({ text: text.slice(found, found + needle.length), match: true });
    at = found + needle.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at), match: false });
  return parts;
}
