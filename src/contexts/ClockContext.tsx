'use client';

import { createContext, type ReactNode, useContext, useEffect, useMemo, useSyncExternalStore } from 'react';
import { savePreference, TIME_ZONE_COOKIE } from '@/lib/presentation/preferences';

interface ClockSettings {
  /** When the server rendered the page: "now" until the page has hydrated. */
  renderedAt: number;
  /** The zone the server rendered times in (the reader's, once a cookie told it). */
  timeZone: string;
}

export interface Clock {
  now: number;
  timeZone: string;
}

const ClockContext = createContext<ClockSettings | null>(null);

/** How often relative times ("5 min ago") move on. */
const TICK_MS = 15_000;

let current = Date.now();
const listeners = new Set<() => void>();
let ticking = false;

/**
 * One clock for the tab, ticking from the first subscriber on (cheap, and never stale by more than
 * a tick). Subscribing never moves it: a snapshot that changed on subscribe would render every
 * newly mounted reader again, and their parents with them.
 */
function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (!ticking) {
    ticking = true;
    setInterval(() => {
      current = Date.now();
      for (const notify of listeners) notify();
    }, TICK_MS);
  }
  return () => listeners.delete(listener);
}

const readClock = () => current;

const browserTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;
const subscribeToNothing = () => () => {};

/**
 * The page's clock: the server's render time and the reader's zone (from its cookie). The browser
 * tells the server its zone once, so the next page renders in it from the start.
 */
export function ClockProvider({ renderedAt, timeZone, children }: ClockSettings & { children: ReactNode }) {
  useEffect(() => {
    const zone = browserTimeZone();
    if (zone !== timeZone) savePreference(TIME_ZONE_COOKIE, zone);
  }, [timeZone]);
  const value = useMemo(() => ({ renderedAt, timeZone }), [renderedAt, timeZone]);
  return <ClockContext.Provider value={value}>{children}</ClockContext.Provider>;
}

/**
 * "Now" and the zone to show times in: the server's during hydration (so the HTML matches), then
 * the browser's, ticking every 15 s. Throws outside <ClockProvider>.
 */
export function useClock(): Clock {
  const settings = useContext(ClockContext);
  if (!settings) throw new Error('useClock() outside <ClockProvider>');
  const now = useSyncExternalStore(subscribe, readClock, () => settings.renderedAt);
  const timeZone = useSyncExternalStore(subscribeToNothing, browserTimeZone, () => settings.timeZone);
  return { now, timeZone };
}
