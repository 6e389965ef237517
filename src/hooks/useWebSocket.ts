'use client';

import { useEffect, useEffectEvent } from 'react';
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
  const onFrame = useEffectEvent(listener);
  const topic = subscription?.topic ?? null;
  const executionId = subscription?.topic === 'execution' ? subscription.executionId : null;
  const afterSeq = subscription?.topic === 'execution' ? subscription.afterSeq : undefined;
  const readAfterSeq = useEffectEvent(() => afterSeq);

  useEffect(() => {
    if (topic === null) return;
    const handle: FrameListener = (frame) => onFrame(frame);
    if (topic === 'executions') return subscribe({ topic }, handle);
    if (executionId === null) return;
    return subscribe({ topic, executionId, afterSeq: readAfterSeq() }, handle);
  }, [subscribe, topic, executionId]);
}
