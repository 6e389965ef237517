'use client';

import { useCallback, useRef, useState } from 'react';
import { type ExecutionSummary, isActiveStatus } from '@/lib/contracts/executions';
import { apiFetch, errorMessage } from '@/lib/http/client';
import { executionPageSchema } from '@/lib/http/responses';
import type { ServerFrame } from '@/lib/websocket/protocol';
import { mergeSummaries } from './executionState';
import { useFrameBatch } from './useFrameBatch';
import { useSubscription } from './useWebSocket';

export interface ExecutionListOptions {
  limit: number;
  /** Only this agent's runs. */
  agentId?: number;
  /** Called after a batch in which runs went from active to an end state. */
  onFinished?: (finished: ExecutionSummary[]) => void;
}

/**
 * The recent runs, newest first: the server-rendered list kept live by the `executions` topic.
 * On every (re)subscription the list is fetched again, so runs that started or ended while the
 * socket was away are not missed.
 */
export function useExecutionList(
  initial: ExecutionSummary[],
  options: ExecutionListOptions,
): ExecutionSummary[] {
  const { limit, agentId, onFinished } = options;
  const [items, setItems] = useState(initial);
  const itemsRef = useRef(initial);

  const push = useFrameBatch<ExecutionSummary>((batch) => {
    const previous = itemsRef.current;
    const next = mergeSummaries(previous, batch, limit);
    const wasActive = new Set(previous.filter((item) => isActiveStatus(item.status)).map((item) => item.id));
    const finished = next.filter((item) => wasActive.has(item.id) && !isActiveStatus(item.status));
    itemsRef.current = next;
    setItems(next);
    if (finished.length > 0) onFinished?.(finished);
  });

  const resync = useCallback(() => {
    const query = new URLSearchParams({ limit: String(limit) });
    if (agentId !== undefined) query.set('agentId', String(agentId));
    void apiFetch(`/api/executions?${query}`, { schema: executionPageSchema }).then(
      (page) => {
        for (const item of page.items) push(item);
      },
      (error: unknown) => console.warn(`ClaudeOps: could not refresh the run list: ${errorMessage(error)}`),
    );
  }, [agentId, limit, push]);

  useSubscription({ topic: 'executions' }, (frame: ServerFrame) => {
    if (frame.type === 'subscribed' && frame.topic === 'executions') resync();
    else if (frame.type === 'execution.updated') {
      if (agentId === undefined || frame.execution.agentId === agentId) push(frame.execution);
    }
  });

  return items;
}
