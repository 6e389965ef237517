'use client';

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { Button } from '@/components/ui/Button';
import { ActionError } from '@/components/ui/FormParts';
import { useHydrated } from '@/hooks/useHydrated';
import { isTruncationMarker, type LogLineDto } from '@/lib/contracts/executions';
import { countAtOrBelow } from '@/lib/presentation/executionView';
import styles from './Execution.module.css';
import { TruncatedLine } from './TruncatedLine';

/** Every row is exactly this tall (CSS agrees), so any row's position is its index times it. */
export const LOG_ROW_HEIGHT = 20;
const OVERSCAN_ROWS = 30;
/** Rows the server's HTML holds: the tail, in normal flow, until the browser takes over. */
const SERVER_TAIL_ROWS = 22;
const DEFAULT_HEIGHT = 480;

export interface LogViewerProps {
  lines: readonly LogLineDto[];
  hasEarlier?: boolean;
  loadingEarlier?: boolean;
  earlierError?: string | null;
  onLoadEarlier?: () => void;
  /** Viewport height in px. */
  height?: number;
}

/**
 * A virtualized log: only the rows in view (plus overscan) are in the DOM, so 100k lines scroll
 * like 100. It follows the tail while the reader is at the bottom; scrolling up pins the view and
 * counts what arrives meanwhile.
 */
export function LogViewer({
  lines,
  hasEarlier = false,
  loadingEarlier = false,
  earlierError = null,
  onLoadEarlier,
  height = DEFAULT_HEIGHT,
}: LogViewerProps) {
  const viewportRef = useRef<HTMLDivElement>(null);
  // Virtual rows are placed with inline styles, which only the browser sets: the server's HTML
  // carries none, and shows the tail in normal flow instead.
  const hydrated = useHydrated();
  const totalHeight = lines.length * LOG_ROW_HEIGHT;
  // Starts at the bottom, where following puts it, so hydration needs no second render.
  const [scrollTop, setScrollTop] = useState(() => Math.max(0, totalHeight - height));
  const [viewportHeight, setViewportHeight] = useState(height);
  const [following, setFollowing] = useState(true);
  /** The last seq the reader saw at the bottom before scrolling away. */
  const [seenSeq, setSeenSeq] = useState(0);
  const followingRef = useRef(true);
  const firstSeqRef = useRef(lines[0]?.seq);
  const lastSeq = lines.at(-1)?.seq ?? 0;

  const onScroll = useCallback(() => {
    const el = viewportRef.current;
    if (!el) return;
    setScrollTop(el.scrollTop);
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < LOG_ROW_HEIGHT / 2;
    if (atBottom === followingRef.current) return;
    followingRef.current = atBottom;
    setFollowing(atBottom);
  }, []);

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
    if (followingRef.current) {
      el.scrollTop = el.scrollHeight;
    } else if (previousFirst !== undefined && first !== undefined && first < previousFirst) {
      // Earlier lines went in above: keep the rows the reader is looking at in place.
      el.scrollTop += countAtOrBelow(lines, previousFirst - 1) * LOG_ROW_HEIGHT;
    }
    setScrollTop(el.scrollTop);
  }, [lines, hydrated]);

  useEffect(() => {
    const el = viewportRef.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setViewportHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const jumpToLatest = () => {
    const el = viewportRef.current;
    if (!el) return;
    followingRef.current = true;
    setFollowing(true);
    el.scrollTop = el.scrollHeight;
  };

  const start = Math.max(0, Math.floor(scrollTop / LOG_ROW_HEIGHT) - OVERSCAN_ROWS);
  const end = Math.min(
    lines.length,
    Math.ceil((scrollTop + viewportHeight) / LOG_ROW_HEIGHT) + OVERSCAN_ROWS,
  );
  const visible = lines.slice(start, end);
  const unseen = following || seenSeq === 0 ? 0 : lines.length - countAtOrBelow(lines, seenSeq);

  return (
    <div className={styles.log} data-testid="log-viewer-panel">
      {hasEarlier && onLoadEarlier ? (
        <div className={styles.toolbar}>
          <Button
            size="small"
            onClick={onLoadEarlier}
            disabled={loadingEarlier}
            data-testid="log-load-earlier"
          >
            {loadingEarlier ? 'Loading…' : 'Load earlier lines'}
          </Button>
          <ActionError error={earlierError} />
        </div>
      ) : null}
      <div
        ref={viewportRef}
        className={styles.viewport}
        onScroll={onScroll}
        role="log"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take the focus, or the keyboard cannot scroll it.
        tabIndex={0}
        aria-live="off"
        aria-label="Execution log"
        data-testid="log-viewer"
        data-line-count={lines.length}
        data-following={following}
      >
        {lines.length === 0 ? <p className={styles.logEmpty}>No log lines yet.</p> : null}
        {hydrated ? (
          <div className={styles.canvas} style={{ height: totalHeight }}>
            {visible.map((line, i) => (
              <LogRow key={line.seq} line={line} top={(start + i) * LOG_ROW_HEIGHT} />
            ))}
          </div>
        ) : (
          <div>
            {lines.slice(-SERVER_TAIL_ROWS).map((line) => (
              <LogRow key={line.seq} line={line} />
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

/** One log line; `top` places it in the virtual canvas, without it the row sits in normal flow. */
function LogRow({ line, top }: { line: LogLineDto; top?: number }) {
  return (
    <div
      className={`${top === undefined ? styles.rowStatic : styles.row} ${styles[`level-${line.level}`] ?? ''}`}
      style={top === undefined ? undefined : { top }}
      data-testid="log-line"
      data-seq={line.seq}
    >
      <span className={styles.seq} aria-hidden="true">
        {line.seq}
      </span>
      <span className={styles.text} data-testid="log-text">
        {isTruncationMarker(line.text) ? <TruncatedLine text={line.text} /> : line.text}
      </span>
    </div>
  );
}
