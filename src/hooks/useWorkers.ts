'use client';

import { useEffect, useState } from 'react';
import { type WorkerDto, workerListResponseSchema } from '@/lib/contracts/workers';
import { apiFetch } from '@/lib/http/client';

/**
 * How often the Workers page reads the list again while it is in view. Workers say they are alive
 * by beating into the database (every 5 s, from any host), not by an event to push, so the page
 * reads: their running runs and states are at most this old, their load a beat old.
 */
export const WORKERS_REFRESH_MS = 2_000;

/** The workers: server-rendered first, then read again every 2 s while the tab is visible. */
export function useWorkers(initial: readonly WorkerDto[]): readonly WorkerDto[] {
  const [workers, setWorkers] = useState(initial);
  useEffect(() => {
    const controller = new AbortController();
    const read = async () => {
      if (document.visibilityState !== 'visible') return;
      try {
        const { items } = await apiFetch('/api/workers', {
          schema: workerListResponseSchema,
          signal: controller.signal,
        });
        setWorkers(items);
      } catch {
        // Kept as they were: the connection indicator says when the server is out of reach.
      }
    };
    const timer = setInterval(read, WORKERS_REFRESH_MS);
    return () => {
      clearInterval(timer);
      controller.abort();
    };
  }, []);
  return workers;
}
