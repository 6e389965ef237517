'use client';

import { useCallback, useReducer, useRef, useState } from 'react';
import { type ExecutionStatus, isActiveStatus } from '@/lib/contracts/executions';
import { apiFetch, errorMessage } from '@/lib/http/client';
import { executionDetailResponseSchema, logLinesResponseSchema } from '@/lib/http/responses';
import type { ServerFrame } from '@/lib/websocket/protocol';
import {
  type ExecutionAction,
  type ExecutionSnapshot,
  type ExecutionViewState,
  executionReducer,
  initExecutionState,
  LOG_PAGE_SIZE,
} from './executionState';
import { useFrameBatch } from './useFrameBatch';
import { useSubscription } from './useWebSocket';

export interface AgentExecution {
  state: ExecutionViewState;
  loadEarlierLogs(): void;
  loadingEarlier: boolean;
  earlierError: string | null;
}

/**
 * One execution page: starts from the server-rendered snapshot, then applies the socket's frames
 * (batched per animation frame, duplicates dropped by seq) until the server reports an end
 * state. The header's detail-only fields (result, credential source, costs) are fetched when
 * the status changes, since the live frames carry only the summary.
 */
export function useAgentExecution(snapshot: ExecutionSnapshot): AgentExecution {
  const [state, dispatch] = useReducer(executionReducer, snapshot, initExecutionState);
  const executionId = state.execution.id;
  const push = useFrameBatch<ExecutionAction>((actions) => dispatch({ type: 'batch', actions }));

  const seenStatus = useRef<ExecutionStatus>(snapshot.execution.status);

  const refresh = useRef({ running: false, again: false });
  const refreshDetail = useCallback(() => {
    const r = refresh.current;
    if (r.running) {
      r.again = true;
      return;
    }
    r.running = true;
    void (async () => {
      try {
        do {
          r.again = false;
          const { execution } = await apiFetch(`/api/executions/${executionId}`, {
            schema: executionDetailResponseSchema,
          });
          push({ type: 'detail', execution });
        } while (r.again);
      } catch (error) {
        console.warn(`ClaudeOps: could not refresh execution ${executionId}: ${errorMessage(error)}`);
      } finally {
        r.running = false;
      }
    })();
  }, [executionId, push]);

  const onFrame = (frame: ServerFrame) => {
    switch (frame.type) {
      case 'subscribed':
        // Covers what changed between the server render (or the last connection) and now.
        refreshDetail();
        return;
      case 'execution.events':
        push({ type: 'events', steps: frame.steps, logs: frame.logs });
        return;
      case 'execution.updated':
        push({ type: 'updated', seq: frame.seq, execution: frame.execution });
        // The credential source is recorded just after the run starts; fetch until it shows.
        if (frame.execution.status !== seenStatus.current || state.execution.apiKeySource === null) {
          seenStatus.current = frame.execution.status;
          refreshDetail();
        }
        return;
      default:
        return;
    }
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

  return { state, loadEarlierLogs, loadingEarlier, earlierError };
}
