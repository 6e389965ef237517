'use client';

import { useEffect, useRef, useState } from 'react';
import { executionDetailResponseSchema } from '@/lib/contracts/executions';
import type { ExecutionResourcesDto } from '@/lib/contracts/runResources';
import { apiFetch } from '@/lib/http/client';

/** The sampler stores a run's figures every 2 s: reading them more often finds nothing new. */
const REFRESH_GAP_MS = 2_000;

/**
 * A run's resources: server-rendered first, then read again while the run's live view changes,
 * at most once per sampler tick, and once more after it ends. No frame carries resource samples
 * yet, so a change of the live view (a step, a log line, a status) is what asks for them: no
 * timer polls, and a run that ended before the page opened is never read again.
 */
export function useRunResources(
  executionId: number,
  initial: ExecutionResourcesDto | undefined,
  live: boolean,
  /** Changes with every change of the run's live view. */
  version: number,
): ExecutionResourcesDto | undefined {
  const [resources, setResources] = useState(initial);
  const watching = useRef(live);
  const reader = useRef<{ request(): void; stop(): void } | null>(null);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let reading = false;
    let again = false;
    let stopped = false;
    let lastRead = Date.now();
    const read = async () => {
      timer = undefined;
      reading = true;
      again = false;
      lastRead = Date.now();
      try {
        const { execution } = await apiFetch(`/api/executions/${executionId}`, {
          schema: executionDetailResponseSchema,
        });
        if (execution.resources && !stopped) setResources(execution.resources);
      } catch {
        // The next change of the live view asks again; the chart keeps what it has.
      } finally {
        reading = false;
        if (again) request();
      }
    };
    // A change while a read waits or runs is covered by one more read after it, never by two.
    const request = () => {
      if (stopped) return;
      if (timer !== undefined || reading) {
        again = true;
        return;
      }
      timer = setTimeout(() => void read(), Math.max(0, lastRead + REFRESH_GAP_MS - Date.now()));
    };
    reader.current = {
      request,
      stop: () => {
        stopped = true;
        clearTimeout(timer);
      },
    };
    return () => reader.current?.stop();
  }, [executionId]);

  const shown = useRef({ live, version });
  useEffect(() => {
    // What the page was rendered with is already there.
    if (shown.current.live === live && shown.current.version === version) return;
    shown.current = { live, version };
    if (!watching.current) return;
    reader.current?.request();
    // The read after the end is the last one.
    if (!live) watching.current = false;
  }, [live, version]);

  return resources;
}
