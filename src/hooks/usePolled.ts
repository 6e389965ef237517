'use client';

import { useEffect, useState } from 'react';
import type { z } from 'zod';
import { apiFetch } from '@/lib/http/client';

/**
 * What `path` answers, read again every `intervalMs` while the tab is visible: for what changes
 * in the database with no event to push (workers beat into it from any host). One read at a time,
 * the next timed from the end of the last, so a slow answer is never overtaken by an older one.
 * With `initial` (server-rendered) the first read waits an interval; without, it starts at once
 * and the value is undefined until it answers, and again after `path` changes. A null `path`
 * reads nothing. A failed read keeps the value: the connection indicator says when the server is
 * out of reach.
 */
export function usePolled<T>(
  path: string | null,
  schema: z.ZodType<T>,
  intervalMs: number,
  initial?: T,
): T | undefined {
  const [answer, setAnswer] = useState<{ path: string | null; value: T | undefined }>({
    path,
    value: initial,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: schema and initial are fixed for a path.
  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      if (document.visibilityState === 'visible') {
        try {
          const value = await apiFetch(path, { schema, signal: controller.signal });
          setAnswer({ path, value });
        } catch {
          // Kept as it was.
        }
      }
      if (!controller.signal.aborted) timer = setTimeout(read, intervalMs);
    };
    timer = setTimeout(read, initial === undefined ? 0 : intervalMs);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [path, intervalMs]);
  return answer.path === path ? answer.value : undefined;
}
