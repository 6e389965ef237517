'use client';

import { useEffect, useLayoutEffect, useRef } from 'react';
import {
  type FrameListener,
  type Subscription,
  useWebSocketContext,
  type WebSocketContextValue,
} from '@/contexts/WebSocketContext';

export type { ConnectionState, FrameListener, Subscription } from '@/contexts/WebSocketContext';

/** The tab's WebSocket: its connection state and `subscribe()`. Throws outside <WebSocketProvider>. */
export function useWebSocket(): WebSocketContextValue {
  return useWebSocketContext();
}

/**
 * Listens to one topic while mounted (and `subscription` is not null). The listener may change
 * between renders without resubscribing; `afterSeq` is read once, when the subscription starts.
 */
export function useSubscription(subscription: Subscription | null, listener: FrameListener): void {
  const { subscribe } = useWebSocketContext();
  // Next 15 ships a React without useEffectEvent: the latest listener and afterSeq live in a ref.
  const latest = useRef({ listener, subscription });
  useLayoutEffect(() => {
    latest.current = { listener, subscription };
  });
  const topic = subscription?.topic ?? null;
  const executionId = subscription?.topic === 'execution' ? subscription.executionId : null;

  useEffect(() => {
    if (topic === null) return;
    const handle: FrameListener = (frame) => latest.current.listener(frame);
    if (topic === 'executions' || topic === 'schedules') return subscribe({ topic }, handle);
    if (executionId === null) return;
    const current = latest.current.subscription;
    const afterSeq = current?.topic === 'execution' ? current.afterSeq : undefined;
    return subscribe({ topic, executionId, afterSeq }, handle);
  }, [subscribe, topic, executionId]);
}
