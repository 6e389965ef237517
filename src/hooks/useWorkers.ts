'use client';

import { type WorkerDto, workerListResponseSchema } from '@/lib/contracts/workers';
import { usePolled } from './usePolled';

/**
 * How often the Workers page reads the list again while it is in view. Workers say they are alive
 * by beating into the database (every 5 s, from any host), not by an event to push, so the page
 * reads: their running runs and states are at most this old, their load a beat old.
 */
export const WORKERS_REFRESH_MS = 2_000;

/** The workers: server-rendered first, then read again every 2 s while the tab is visible. */
export function useWorkers(initial: readonly WorkerDto[]): readonly WorkerDto[] {
  const answer = usePolled('/api/workers', workerListResponseSchema, WORKERS_REFRESH_MS, {
    items: [...initial],
  });
  return answer?.items ?? initial;
}
