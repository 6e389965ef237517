'use client';

import { useCallback, useEffect, useLayoutEffect, useRef } from 'react';

/**
 * Collects items and hands them to `apply` once per animation frame, so a flood of socket frames
 * costs one render per frame rather than one per message. In a hidden tab (no frames) items wait
 * and apply together when it is shown again.
 */
export function useFrameBatch<T>(apply: (batch: T[]) => void): (item: T) => void {
  const applyRef = useRef(apply);
  const pending = useRef<T[]>([]);
  const frame = useRef<number | null>(null);
  const mounted = useRef(false);

  useLayoutEffect(() => {
    applyRef.current = apply;
  });

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
      pending.current = [];
    };
  }, []);

  return useCallback((item: T) => {
    if (!mounted.current) return;
    pending.current.push(item);
    frame.current ??= requestAnimationFrame(() => {
      frame.current = null;
      const batch = pending.current;
      pending.current = [];
      if (batch.length > 0) applyRef.current(batch);
    });
  }, []);
}
