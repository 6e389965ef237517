'use client';

import { useRef, useState } from 'react';
import { type ExecutionSummary, isActiveStatus } from '@/lib/contracts/executions';
import { mergeSummaries } from '@/lib/presentation/executionView';
import type { ServerFrame } from '@/lib/websocket/protocol';
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
 * The recent runs, newest first: the server-rendered list kept live by the `executions` topic,
 * whose answer to every (re)subscription carries the active and newest runs, so runs that started
 * or ended while the socket was away are not missed.
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

  const wanted = (execution: ExecutionSummary) => agentId === undefined || execution.agentId === agentId;
  useSubscription({ topic: 'executions' }, (frame: ServerFrame) => {
    // The answer to a (re)subscription brings what changed while the socket was away.
    if (frame.type === 'subscribed' && frame.topic === 'executions') {
      for (const item of frame.items) if (wanted(item)) push(item);
    } else if (frame.type === 'execution.updated' && wanted(frame.execution)) push(frame.execution);
  });

  return items;
}
