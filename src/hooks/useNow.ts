import { useEffect, useState } from 'react';

/**
 * The current time, ticking every `intervalMs` while `active`. Starts at `initialNow` (the
 * server's render time) so the first client render matches the server's HTML.
 */
export function useNow(active: boolean, initialNow: number, intervalMs = 1_000): number {
  const [now, setNow] = useState(initialNow);
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
  return now;
}
