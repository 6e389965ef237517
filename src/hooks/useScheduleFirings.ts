'use client';

import type { ScheduleFiringDto } from '@/lib/contracts/schedules';
import { useFrameBatch } from './useFrameBatch';
import { useSubscription } from './useWebSocket';

/**
 * Every schedule firing as the server records it, from the `schedules` topic, in batches: a long
 * downtime's missed slots arrive together and cost one render. The topic has no replay: firings
 * while the socket was away show at the next page load.
 */
export function useScheduleFirings(apply: (firings: ScheduleFiringDto[]) => void): void {
  const push = useFrameBatch(apply);
  useSubscription({ topic: 'schedules' }, (frame) => {
    if (frame.type === 'schedule.fired') push(frame.firing);
  });
}
