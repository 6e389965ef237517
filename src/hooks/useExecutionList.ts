'use client';

import { useRef, useState } from 'react';
import { type ExecutionSummary, isActiveStatus } from '@/lib/contracts/executions';
import { mergeSummaries } from '@/lib/presentation/executionView';
import { refreshRows } from '@/lib/presentation/runsView';
import type { ServerFrame } from '@/lib/websocket/protocol';
import { useFrameBatch } from './useFrameBatch';
import { useSubscription } from './useWebSocket';

export interface ExecutionListOptions {
  limit: number;
  /** Which runs belong in the list; every run by default. */
  wanted?: (execution: ExecutionSummary) => boolean;
  /** New runs join the list, newest first (default); otherwise only the rows shown are kept current. */
  addNew?: boolean;
  /** Called after a batch in which runs went from active to an end state. */
  onFinished?: (finished: ExecutionSummary[]) => void;
}

const everyRun = () => true;

/**
 * The recent runs, newest first: the server-rendered list kept live by the `executions` topic,
 * whose answer to every (re)subscription carries the active and newest runs, so runs that started
 * or ended while the socket was away are not missed.
 */
export function useExecutionList(
  initial: ExecutionSummary[],
  options: ExecutionListOptions,
): ExecutionSummary[] {
  const { limit, wanted = everyRun, addNew = true, onFinished } = options;
  const [items, setItems] = useState(initial);
  const itemsRef = useRef(initial);

  const push = useFrameBatch<ExecutionSummary>((batch) => {
    const previous = itemsRef.current;
    const next = addNew ? mergeSummaries(previous, batch, limit) : refreshRows(previous, batch);
    const wasActive = new Set(previous.filter((item) => isActiveStatus(item.status)).map((item) => item.id));
    const finished = next.filter((item) => wasActive.has(item.id) && !isActiveStatus(item.status));
    itemsRef.current = next;
    setItems(next);
    if (finished.length > 0) onFinished?.(finished);
  });

  // A row shown keeps its updates even once it no longer matches (a run leaving a status filter).
  const relevant = (execution: ExecutionSummary) =>
    wanted(execution) || itemsRef.current.some((item) => item.id === execution.id);
  useSubscription({ topic: 'executions' }, (frame: ServerFrame) => {
    // The answer to a (re)subscription brings what changed while the socket was away.
    if (frame.type === 'subscribed' && frame.topic === 'executions') {
      for (const item of frame.items) if (relevant(item)) push(item);
    } else if (frame.type === 'execution.updated' && relevant(frame.execution)) push(frame.execution);
  });

  return items;
}
