'use client';

import { useCallback, useEffect, useLayoutEffect, useRef } from 'react';

/** One frame at 60 Hz: at most one batch is applied per frame while items keep coming. */
const FRAME_MS = 16;

/**
 * Collects items and hands them to `apply` in batches. After a quiet frame, the first item is
 * applied at once (end of the current task), so a line shows without waiting for the next frame;
 * while items keep coming they wait for the next animation frame, so a flood of socket frames
 * costs one render per frame. In a hidden tab (no frames) they wait until it is shown again.
 */
export function useFrameBatch<T>(apply: (batch: T[]) => void): (item: T) => void {
  const applyRef = useRef(apply);
  const pending = useRef<T[]>([]);
  const scheduled = useRef<{ frame: number } | 'task' | null>(null);
  const lastApplied = useRef(Number.NEGATIVE_INFINITY);
  const mounted = useRef(false);

  useLayoutEffect(() => {
    applyRef.current = apply;
  });

  const flush = useCallback(() => {
    scheduled.current = null;
    if (!mounted.current) return;
    const batch = pending.current;
    pending.current = [];
    lastApplied.current = performance.now();
    if (batch.length > 0) applyRef.current(batch);
  }, []);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      const current = scheduled.current;
      if (current !== null && current !== 'task') cancelAnimationFrame(current.frame);
      scheduled.current = null;
      pending.current = [];
    };
  }, []);

  return useCallback(
    (item: T) => {
      if (!mounted.current) return;
      pending.current.push(item);
      if (scheduled.current !== null) return;
      if (performance.now() - lastApplied.current >= FRAME_MS) {
        scheduled.current = 'task';
        queueMicrotask(flush);
      } else {
        scheduled.current = { frame: requestAnimationFrame(flush) };
      }
    },
    [flush],
  );
}
