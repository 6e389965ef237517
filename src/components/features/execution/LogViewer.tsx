'use client';

import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Button, buttonClassName } from '@/components/ui/Button';
import { ActionError } from '@/components/ui/FormParts';
import { useClock } from '@/contexts/ClockContext';
import { useHydrated } from '@/hooks/useHydrated';
import { isTruncationMarker, type LogLineDto } from '@/lib/contracts/executions';
import { countAtOrBelow } from '@/lib/presentation/executionView';
import { formatOffset, formatTimeOfDay } from '@/lib/presentation/format';
import {
  findMatches,
  firstErrorLine,
  type LineSelection,
  lineAtRow,
  rowStarts,
  selectedText,
  selectionBounds,
  selectLine,
  stepMatch,
} from '@/lib/presentation/logView';
import { AnsiText } from './AnsiText';
import styles from './Execution.module.css';
import { TruncatedLine } from './TruncatedLine';

/** Every screen row is exactly this tall (CSS agrees); a wrapped line is a whole number of them. */
export const LOG_ROW_HEIGHT = 20;
const OVERSCAN_ROWS = 30;
/** Rows the server's HTML holds: the tail, in normal flow, until the browser takes over. */
const SERVER_TAIL_ROWS = 22;
const DEFAULT_HEIGHT = 480;
const SEARCH_DELAY_MS = 150;

type TimeMode = 'relative' | 'absolute';
/** What waits for the whole log to load: a search, or the jump to the first error. */
type WholeLogAction = 'search' | 'error';

export interface LogViewerProps {
  executionId: number;
  lines: readonly LogLineDto[];
  /** Lines of the log before `lines[0]` that are not loaded: line numbers go on from there. */
  lineOffset: number;
  /** The run's start: relative times count from it. */
  baseMs: number;
  hasEarlier?: boolean;
  loadingEarlier?: boolean;
  earlierError?: string | null;
  onLoadEarlier?: () => void;
  /** Loads every earlier line: search and the jump to the first error read the whole log. */
  onLoadAll?: () => void;
  /** Viewport height in px. */
  height?: number;
}

/** Columns of text a wrapped row holds, from a probe row laid out like the real ones. */
function measureColumns(viewport: HTMLElement, probe: HTMLElement): number | null {
  const text = probe.querySelector<HTMLElement>('[data-probe-text]');
  if (!text) return null;
  const charWidth = text.getBoundingClientRect().width / 10;
  if (charWidth <= 0) return null;
  const available = viewport.clientWidth - text.offsetLeft - 12;
  // One column to spare: a row counted too tall leaves a gap, one counted too short would overlap.
  return Math.max(8, Math.floor(available / charWidth) - 1);
}

/**
 * The run's log, built for reading: virtualized (only the rows in view are in the DOM, so 100k
 * lines scroll like 100), continuous line numbers, wrap, search with next / previous, the jump to
 * the first error, copy of a line or a range, download, ANSI colours, relative or absolute times.
 * It follows the tail while the reader is at the bottom; scrolling up pins the view and counts
 * what arrives meanwhile.
 */
export function LogViewer({
  executionId,
  lines,
  lineOffset,
  baseMs,
  hasEarlier = false,
  loadingEarlier = false,
  earlierError = null,
  onLoadEarlier,
  onLoadAll,
  height = DEFAULT_HEIGHT,
}: LogViewerProps) {
  const viewportRef = useRef<HTMLDivElement>(null);
  const probeRef = useRef<HTMLDivElement>(null);
  const { timeZone } = useClock();
  // Virtual rows are placed with inline styles, which only the browser sets: the server's HTML
  // carries none, and shows the tail in normal flow instead.
  const hydrated = useHydrated();
  const [wrap, setWrap] = useState(false);
  const [columns, setColumns] = useState<number | null>(null);
  const [timeMode, setTimeMode] = useState<TimeMode>('relative');
  const [query, setQuery] = useState('');
  const [searched, setSearched] = useState('');
  const [current, setCurrent] = useState(-1);
  const [selection, setSelection] = useState<LineSelection | null>(null);
  const [copied, setCopied] = useState(false);
  const [waiting, setWaiting] = useState<WholeLogAction | null>(null);

  const starts = useMemo(() => rowStarts(lines, wrap ? columns : null), [lines, wrap, columns]);
  const totalRows = starts[lines.length] ?? 0;
  const totalHeight = totalRows * LOG_ROW_HEIGHT;
  // Starts at the bottom, where following puts it, so hydration needs no second render.
  const [scrollTop, setScrollTop] = useState(() => Math.max(0, totalHeight - height));
  const [viewportHeight, setViewportHeight] = useState(height);
  const [following, setFollowing] = useState(true);
  /** The last seq the reader saw at the bottom before scrolling away. */
  const [seenSeq, setSeenSeq] = useState(0);
  const followingRef = useRef(true);
  /** The line at the top of the view when wrapping turns on or off: the view stays on it. */
  const anchorRef = useRef<number | null>(null);
  const firstSeqRef = useRef(lines[0]?.seq);
  const lastSeq = lines.at(-1)?.seq ?? 0;

  const matches = useMemo(() => findMatches(lines, searched), [lines, searched]);

  const onScroll = useCallback(() => {
    const el = viewportRef.current;
    if (!el) return;
    setScrollTop(el.scrollTop);
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < LOG_ROW_HEIGHT / 2;
    if (atBottom === followingRef.current) return;
    followingRef.current = atBottom;
    setFollowing(atBottom);
  }, []);

  /** Brings line `index` into view, a third of the way down, and stops following the tail. */
  const reveal = useCallback(
    (index: number) => {
      const el = viewportRef.current;
      if (!el || index < 0) return;
      followingRef.current = false;
      setFollowing(false);
      el.scrollTop = Math.max(0, (starts[index] ?? 0) * LOG_ROW_HEIGHT - el.clientHeight / 3);
      setScrollTop(el.scrollTop);
    },
    [starts],
  );

  // Remember what the reader had seen when they left the bottom.
  useEffect(() => {
    if (!following) setSeenSeq((seen) => (seen === 0 ? lastSeq : seen));
    else setSeenSeq(0);
  }, [following, lastSeq]);

  useLayoutEffect(() => {
    const el = viewportRef.current;
    // The virtual canvas exists once hydrated; then the view starts at the tail.
    if (!el || !hydrated) return;
    const previousFirst = firstSeqRef.current;
    const first = lines[0]?.seq;
    firstSeqRef.current = first;
    const anchor = anchorRef.current;
    anchorRef.current = null;
    if (followingRef.current) {
      el.scrollTop = el.scrollHeight;
    } else if (anchor !== null) {
      el.scrollTop = (starts[anchor] ?? 0) * LOG_ROW_HEIGHT;
    } else if (previousFirst !== undefined && first !== undefined && first < previousFirst) {
      // Earlier lines went in above: keep the rows the reader is looking at in place.
      el.scrollTop += (starts[countAtOrBelow(lines, previousFirst - 1)] ?? 0) * LOG_ROW_HEIGHT;
    }
    setScrollTop(el.scrollTop);
  }, [lines, hydrated, starts]);

  useEffect(() => {
    const el = viewportRef.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      setViewportHeight(el.clientHeight);
      if (probeRef.current) setColumns(measureColumns(el, probeRef.current));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // The search runs once typing pauses; a new search starts at its first match.
  useEffect(() => {
    const timer = setTimeout(() => setSearched(query.trim()), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [query]);
  useEffect(() => {
    if (searched === '') return;
    if (hasEarlier) {
      setWaiting('search');
      onLoadAll?.();
    }
    setCurrent(-1);
  }, [searched, hasEarlier, onLoadAll]);
  useEffect(() => {
    if (current === -1 && matches.length > 0 && waiting !== 'search') {
      setCurrent(0);
      reveal(matches[0] ?? -1);
    }
  }, [matches, current, waiting, reveal]);
  useEffect(() => {
    if (hasEarlier || waiting === null) return;
    setWaiting(null);
    if (waiting === 'error') reveal(firstErrorLine(lines));
  }, [hasEarlier, waiting, lines, reveal]);

  const goToMatch = (direction: 1 | -1) => {
    const next = stepMatch(current, matches.length, direction);
    setCurrent(next);
    reveal(matches[next] ?? -1);
  };
  const jumpToError = () => {
    if (hasEarlier) {
      setWaiting('error');
      onLoadAll?.();
    } else reveal(firstErrorLine(lines));
  };
  const toggleWrap = () => {
    anchorRef.current = lineAtRow(starts, Math.floor(scrollTop / LOG_ROW_HEIGHT));
    setWrap((value) => !value);
  };
  const jumpToLatest = () => {
    const el = viewportRef.current;
    if (!el) return;
    followingRef.current = true;
    setFollowing(true);
    el.scrollTop = el.scrollHeight;
  };
  const copySelection = () => {
    if (!selection) return;
    void navigator.clipboard.writeText(selectedText(lines, selection)).then(() => setCopied(true));
  };
  const pick = (index: number, extend: boolean) => {
    setCopied(false);
    setSelection((previous) => selectLine(previous, index, extend));
  };

  const firstRow = Math.max(0, Math.floor(scrollTop / LOG_ROW_HEIGHT) - OVERSCAN_ROWS);
  const lastRow = Math.ceil((scrollTop + viewportHeight) / LOG_ROW_HEIGHT) + OVERSCAN_ROWS;
  const start = lines.length === 0 ? 0 : lineAtRow(starts, firstRow);
  const end = Math.min(lines.length, lineAtRow(starts, lastRow) + 1);
  const unseen = following || seenSeq === 0 ? 0 : lines.length - countAtOrBelow(lines, seenSeq);
  const currentLine = matches[current] ?? -1;
  const matchSet = useMemo(() => new Set(matches), [matches]);
  const [selectedFrom, selectedTo] = selection ? selectionBounds(selection) : [-1, -2];
  const timeOf = (line: LogLineDto) =>
    timeMode === 'relative'
      ? formatOffset(line.createdAt, baseMs)
      : formatTimeOfDay(line.createdAt, timeZone, true);
  const rowProps = (line: LogLineDto, index: number) => ({
    line,
    number: lineOffset + index + 1,
    time: timeOf(line),
    query: searched,
    match: matchSet.has(index),
    current: index === currentLine,
    selected: index >= selectedFrom && index <= selectedTo,
    onPick: (extend: boolean) => pick(index, extend),
  });
  const searchStatus =
    searched === ''
      ? ''
      : waiting === 'search'
        ? 'Loading the whole log…'
        : matches.length === 0
          ? 'No matches'
          : `${current + 1} of ${matches.length.toLocaleString('en-US')}`;

  return (
    <div className={styles.log} data-testid="log-viewer-panel">
      <div className={styles.toolbar}>
        <search className={styles.logSearch}>
          <label htmlFor={`log-search-${executionId}`} className="visually-hidden">
            Search the log
          </label>
          <input
            id={`log-search-${executionId}`}
            type="search"
            placeholder="Search the log"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            onKeyDown={(event) => {
              if (event.key !== 'Enter') return;
              event.preventDefault();
              goToMatch(event.shiftKey ? -1 : 1);
            }}
            data-testid="log-search"
          />
          <span
            className="small muted"
            role="status"
            data-testid="log-match-count"
            data-count={matches.length}
          >
            {searchStatus}
          </span>
          <Button
            size="small"
            onClick={() => goToMatch(-1)}
            disabled={matches.length === 0}
            data-testid="log-match-previous"
            aria-label="Previous match"
          >
            ↑
          </Button>
          <Button
            size="small"
            onClick={() => goToMatch(1)}
            disabled={matches.length === 0}
            data-testid="log-match-next"
            aria-label="Next match"
          >
            ↓
          </Button>
        </search>
        <Button size="small" onClick={jumpToError} data-testid="log-jump-error">
          First error
        </Button>
        <Button size="small" aria-pressed={wrap} onClick={toggleWrap} data-testid="log-wrap">
          Wrap
        </Button>
        <Button
          size="small"
          onClick={() => setTimeMode((mode) => (mode === 'relative' ? 'absolute' : 'relative'))}
          data-testid="log-time-mode"
          data-mode={timeMode}
        >
          {timeMode === 'relative' ? 'Times: since start' : 'Times: clock'}
        </Button>
        <a
          className={buttonClassName({ size: 'small' })}
          href={`/api/executions/${executionId}/logs?format=text`}
          download
          data-testid="log-download"
        >
          Download
        </a>
        {selection ? (
          <Button size="small" onClick={copySelection} data-testid="log-copy">
            {copied
              ? 'Copied'
              : selectedFrom === selectedTo
                ? `Copy line ${lineOffset + selectedFrom + 1}`
                : `Copy lines ${lineOffset + selectedFrom + 1}–${lineOffset + selectedTo + 1}`}
          </Button>
        ) : null}
        {hasEarlier && onLoadEarlier ? (
          <Button
            size="small"
            onClick={onLoadEarlier}
            disabled={loadingEarlier}
            data-testid="log-load-earlier"
          >
            {loadingEarlier ? 'Loading…' : 'Load earlier lines'}
          </Button>
        ) : null}
        <ActionError error={earlierError} />
      </div>
      <div
        ref={viewportRef}
        className={wrap ? `${styles.viewport} ${styles.wrapped}` : styles.viewport}
        onScroll={onScroll}
        role="log"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take the focus, or the keyboard cannot scroll it.
        tabIndex={0}
        aria-live="off"
        aria-label="Execution log"
        data-testid="log-viewer"
        data-line-count={lines.length}
        data-following={following}
        data-wrap={wrap}
        onKeyDown={(event) => {
          if (event.key === 'Escape') setSelection(null);
        }}
      >
        <div ref={probeRef} className={`${styles.row} ${styles.probe}`} aria-hidden="true">
          <span className={styles.seq}>0</span>
          <span className={styles.stamp}>+0.0 s</span>
          <span className={styles.text} data-probe-text>
            MMMMMMMMMM
          </span>
        </div>
        {lines.length === 0 ? <p className={styles.logEmpty}>No log lines yet.</p> : null}
        {hydrated ? (
          <div className={styles.canvas} style={{ height: totalHeight }}>
            {lines.slice(start, end).map((line, i) => {
              const index = start + i;
              const top = (starts[index] ?? 0) * LOG_ROW_HEIGHT;
              const rows = (starts[index + 1] ?? 0) - (starts[index] ?? 0);
              return <LogRow key={line.seq} {...rowProps(line, index)} top={top} rows={rows} />;
            })}
          </div>
        ) : (
          <div>
            {lines.slice(-SERVER_TAIL_ROWS).map((line, i) => (
              <LogRow key={line.seq} {...rowProps(line, Math.max(0, lines.length - SERVER_TAIL_ROWS) + i)} />
            ))}
          </div>
        )}
      </div>
      {following ? null : (
        <button type="button" className={styles.jump} onClick={jumpToLatest} data-testid="log-jump-latest">
          Jump to latest{unseen > 0 ? ` (${unseen} new)` : ''}
        </button>
      )}
    </div>
  );
}

interface LogRowProps {
  line: LogLineDto;
  number: number;
  time: string;
  query: string;
  match: boolean;
  current: boolean;
  selected: boolean;
  onPick(extend: boolean): void;
  /** Place in the virtual canvas; without it the row sits in normal flow. */
  top?: number;
  /** Screen rows the line takes (wrapped). */
  rows?: number;
}

/** One log line: its number (click to select, shift-click for a range), time and text. */
function LogRow({ line, number, time, query, match, current, selected, onPick, top, rows = 1 }: LogRowProps) {
  const classes = [
    top === undefined ? styles.rowStatic : styles.row,
    styles[`level-${line.level}`],
    match ? styles.matchRow : null,
    current ? styles.currentRow : null,
    selected ? styles.selectedRow : null,
  ].filter(Boolean);
  return (
    <div
      className={classes.join(' ')}
      style={top === undefined ? undefined : { top, height: rows * LOG_ROW_HEIGHT }}
      data-testid="log-line"
      data-seq={line.seq}
      data-line={number}
      data-current={current || undefined}
    >
      <button
        type="button"
        className={styles.seq}
        tabIndex={-1}
        aria-label={`Select line ${number}`}
        onClick={(event) => onPick(event.shiftKey)}
        data-testid="log-line-number"
      >
        {number}
      </button>
      <span className={styles.stamp} data-testid="log-time">
        {time}
      </span>
      <span className={styles.text} data-testid="log-text">
        {isTruncationMarker(line.text) ? (
          <TruncatedLine text={line.text} />
        ) : (
          <AnsiText text={line.text} query={query} />
        )}
      </span>
    </div>
  );
}
