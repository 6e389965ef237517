'use client';

import { useCallback, useReducer, useState } from 'react';
import { isActiveStatus, logLinesResponseSchema } from '@/lib/contracts/executions';
import { apiFetch, errorMessage } from '@/lib/http/client';
import {
  type ExecutionAction,
  type ExecutionSnapshot,
  type ExecutionViewState,
  executionReducer,
  initExecutionState,
  LOG_PAGE_SIZE,
} from '@/lib/presentation/executionView';
import type { ServerFrame } from '@/lib/websocket/protocol';
import { useFrameBatch } from './useFrameBatch';
import { useSubscription } from './useWebSocket';

export interface AgentExecution {
  state: ExecutionViewState;
  loadEarlierLogs(): void;
  /** Loads every line before the first one held, a page at a time. */
  loadAllLogs(): void;
  loadingEarlier: boolean;
  earlierError: string | null;
}

/** Lines per request when the whole log is wanted (the API's largest page). */
const LOG_ALL_PAGE_SIZE = 10_000;

/**
 * One execution page: starts from the server-rendered snapshot, then applies the socket's frames
 * (batched per animation frame, duplicates dropped by seq) until the server reports an end
 * state. The frames carry everything the page shows (credential source, result, costs,
 * attempts, the process tree's resources), so a frame never sends the page back to the API.
 */
export function useAgentExecution(snapshot: ExecutionSnapshot): AgentExecution {
  const [state, dispatch] = useReducer(executionReducer, snapshot, initExecutionState);
  const executionId = state.execution.id;
  const push = useFrameBatch<ExecutionAction>((actions) => dispatch({ type: 'batch', actions }));

  const onFrame = (frame: ServerFrame) => {
    if (frame.type === 'execution.events') push({ type: 'events', steps: frame.steps, logs: frame.logs });
    else if (frame.type === 'execution.updated')
      push({ type: 'updated', seq: frame.seq, execution: frame.execution });
    else if (frame.type === 'execution.resources') push({ type: 'resources', resources: frame.resources });
  };

  const live = isActiveStatus(state.execution.status);
  useSubscription(
    live
      ? {
          topic: 'execution',
          executionId,
          afterSeq: Math.max(state.lastStepSeq, state.lastLogSeq, snapshot.execution.lastSeq),
        }
      : null,
    onFrame,
  );

  const [loadingEarlier, setLoadingEarlier] = useState(false);
  const [earlierError, setEarlierError] = useState<string | null>(null);
  const firstLogSeq = state.logs[0]?.seq;
  const loadEarlierLogs = useCallback(() => {
    if (firstLogSeq === undefined || loadingEarlier) return;
    setLoadingEarlier(true);
    setEarlierError(null);
    void (async () => {
      try {
        const { items } = await apiFetch(
          `/api/executions/${executionId}/logs?beforeSeq=${firstLogSeq}&limit=${LOG_PAGE_SIZE}`,
          { schema: logLinesResponseSchema },
        );
        dispatch({ type: 'earlier', lines: items, exhausted: items.length < LOG_PAGE_SIZE });
      } catch (error) {
        setEarlierError(errorMessage(error));
      } finally {
        setLoadingEarlier(false);
      }
    })();
  }, [executionId, firstLogSeq, loadingEarlier]);

  const loadAllLogs = useCallback(() => {
    if (firstLogSeq === undefined || loadingEarlier) return;
    setLoadingEarlier(true);
    setEarlierError(null);
    void (async () => {
      try {
        let before = firstLogSeq;
        for (;;) {
          const { items } = await apiFetch(
            `/api/executions/${executionId}/logs?beforeSeq=${before}&limit=${LOG_ALL_PAGE_SIZE}`,
            { schema: logLinesResponseSchema },
          );
          const exhausted = items.length < LOG_ALL_PAGE_SIZE;
          dispatch({ type: 'earlier', lines: items, exhausted });
          const first = items[0];
          if (exhausted || !first) break;
          before = first.seq;
        }
      } catch (error) {
        setEarlierError(errorMessage(error));
      } finally {
        setLoadingEarlier(false);
      }
    })();
  }, [executionId, firstLogSeq, loadingEarlier]);

  return { state, loadEarlierLogs, loadAllLogs, loadingEarlier, earlierError };
}
