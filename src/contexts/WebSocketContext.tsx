'use client';

import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import {
  type ClientFrame,
  PROTOCOL_VERSION,
  parseServerFrame,
  type ServerFrame,
} from '@/lib/websocket/protocol';

export type ConnectionState = 'connecting' | 'open' | 'offline';

export type Subscription =
  | { topic: 'executions' }
  /** Every change of every workflow run. */
  | { topic: 'workflowRuns' }
  /** Every schedule firing (`schedule.fired`). */
  | { topic: 'schedules' }
  /** A host sample every few seconds (`metrics.sample`). */
  | { topic: 'metrics' }
  /** The data directory's storage state (`storage.updated`). */
  | { topic: 'storage' }
  /** The pending approvals and every change of one (`approval.updated`). */
  | { topic: 'approvals' }
  /** `afterSeq`: the highest sequence number the subscriber already has. */
  | { topic: 'execution'; executionId: number; afterSeq?: number };

export type FrameListener = (frame: ServerFrame) => void;

export interface WebSocketContextValue {
  state: ConnectionState;
  /** True once a socket has been open: tells "Connecting…" from "Reconnecting…". */
  hasConnected: boolean;
  /** Listens to a topic, subscribing on the server while anyone listens; returns the unsubscribe. */
  subscribe(subscription: Subscription, listener: FrameListener): () => void;
}

interface Channel {
  subscription: Subscription;
  listeners: Set<FrameListener>;
  /** Execution channels: the highest seq delivered, so a reconnect replays only what was missed. */
  afterSeq: number | undefined;
}

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;
/** A socket that stayed open this long resets the backoff; one that drops at once keeps growing it. */
const STABLE_AFTER_MS = 5_000;

const WebSocketContext = createContext<WebSocketContextValue | null>(null);

const channelKey = (subscription: Subscription): string =>
  subscription.topic === 'execution' ? `execution:${subscription.executionId}` : subscription.topic;

function subscribeFrame(channel: Channel): ClientFrame {
  const { subscription } = channel;
  if (subscription.topic !== 'execution') return { type: 'subscribe', topic: subscription.topic };
  return {
    type: 'subscribe',
    topic: 'execution',
    executionId: subscription.executionId,
    ...(channel.afterSeq === undefined ? {} : { afterSeq: channel.afterSeq }),
  };
}

function unsubscribeFrame(subscription: Subscription): ClientFrame {
  return subscription.topic === 'execution'
    ? { type: 'unsubscribe', topic: 'execution', executionId: subscription.executionId }
    : { type: 'unsubscribe', topic: subscription.topic };
}

function socketUrl(): string {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${window.location.host}/ws`;
}

/** Exponential backoff with jitter: half the step fixed, half random, capped. */
function backoffDelay(attempt: number): number {
  const step = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  return step / 2 + (Math.random() * step) / 2;
}

/** One WebSocket per tab, shared by every component that listens to live updates. */
export function WebSocketProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<ConnectionState>('connecting');
  const [hasConnected, setHasConnected] = useState(false);
  const socketRef = useRef<WebSocket | null>(null);
  const channelsRef = useRef(new Map<string, Channel>());

  const send = useCallback((frame: ClientFrame) => {
    const socket = socketRef.current;
    // Frames for a closed socket are dropped: every subscription is sent again on open.
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }, []);

  useEffect(() => {
    const channels = channelsRef.current;
    let disposed = false;
    let attempt = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;

    const deliver = (key: string, frame: ServerFrame) => {
      const channel = channels.get(key);
      if (!channel) return;
      for (const listener of [...channel.listeners]) listener(frame);
    };

    const route = (frame: ServerFrame) => {
      switch (frame.type) {
        case 'hello':
          if (frame.protocolVersion !== PROTOCOL_VERSION) {
            console.warn(
              `ClaudeOps: server speaks protocol ${frame.protocolVersion}, page ${PROTOCOL_VERSION}`,
            );
          }
          return;
        case 'subscribed':
          deliver(frame.topic === 'execution' ? `execution:${frame.executionId}` : frame.topic, frame);
          return;
        case 'execution.events': {
          const channel = channels.get(`execution:${frame.executionId}`);
          if (channel) channel.afterSeq = Math.max(channel.afterSeq ?? 0, frame.seq);
          deliver(`execution:${frame.executionId}`, frame);
          return;
        }
        case 'execution.updated':
          deliver(`execution:${frame.executionId}`, frame);
          deliver('executions', frame);
          return;
        case 'execution.resources':
          deliver(`execution:${frame.executionId}`, frame);
          return;
        case 'circuit.updated':
          deliver('executions', frame);
          return;
        case 'workflowRun.updated':
          deliver('workflowRuns', frame);
          return;
        case 'schedule.fired':
          deliver('schedules', frame);
          return;
        case 'metrics.sample':
          deliver('metrics', frame);
          return;
        case 'storage.updated':
          deliver('storage', frame);
          return;
        case 'approval.updated':
          deliver('approvals', frame);
          return;
        case 'error':
          console.warn(`ClaudeOps: server error frame ${frame.code}: ${frame.message}`);
          return;
        case 'pong':
          return;
      }
    };

    const scheduleRetry = () => {
      setState('offline');
      const delay = backoffDelay(attempt);
      attempt += 1;
      retryTimer = setTimeout(connect, delay);
    };

    const connect = () => {
      retryTimer = undefined;
      setState('connecting');
      let socket: WebSocket;
      try {
        socket = new WebSocket(socketUrl());
      } catch {
        // The constructor can throw (e.g. a URL the page's CSP refuses): retry like a dropped socket.
        scheduleRetry();
        return;
      }
      socketRef.current = socket;
      let openedAt = 0;

      socket.onopen = () => {
        openedAt = Date.now();
        setState('open');
        setHasConnected(true);
        for (const channel of channels.values()) socket.send(JSON.stringify(subscribeFrame(channel)));
      };
      socket.onmessage = (event: MessageEvent) => {
        if (typeof event.data !== 'string') return;
        const frame = parseServerFrame(event.data);
        if (frame === null) {
          console.warn('ClaudeOps: ignored a WebSocket frame that is not in the protocol');
          return;
        }
        route(frame);
      };
      socket.onclose = () => {
        if (socketRef.current === socket) socketRef.current = null;
        if (disposed) return;
        if (openedAt > 0 && Date.now() - openedAt >= STABLE_AFTER_MS) attempt = 0;
        scheduleRetry();
      };
    };

    // Back online (or back to the tab after the laptop slept): try now rather than at the next backoff step.
    const retryNow = () => {
      if (retryTimer === undefined || disposed) return;
      clearTimeout(retryTimer);
      connect();
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') retryNow();
    };

    window.addEventListener('online', retryNow);
    document.addEventListener('visibilitychange', onVisible);
    connect();
    return () => {
      disposed = true;
      clearTimeout(retryTimer);
      window.removeEventListener('online', retryNow);
      document.removeEventListener('visibilitychange', onVisible);
      socketRef.current?.close();
      socketRef.current = null;
    };
  }, []);

  const subscribe = useCallback(
    (subscription: Subscription, listener: FrameListener) => {
      const channels = channelsRef.current;
      const key = channelKey(subscription);
      const afterSeq = subscription.topic === 'execution' ? subscription.afterSeq : undefined;
      let channel = channels.get(key);
      if (!channel) {
        channel = { subscription, listeners: new Set([listener]), afterSeq };
        channels.set(key, channel);
        send(subscribeFrame(channel));
      } else {
        channel.listeners.add(listener);
        // A topic's first frame is its state as it is now: a listener that joins later asks again
        // (every listener takes a `subscribed` frame as the whole state, so the others lose nothing).
        if (subscription.topic !== 'execution') send(subscribeFrame(channel));
        // A listener that has less than the channel delivered so far needs the gap replayed;
        // listeners already there ignore what they have by seq.
        if (afterSeq !== undefined && channel.afterSeq !== undefined && afterSeq < channel.afterSeq) {
          channel.afterSeq = afterSeq;
          send(subscribeFrame(channel));
        }
      }
      const current = channel;
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        current.listeners.delete(listener);
        if (current.listeners.size === 0 && channels.get(key) === current) {
          channels.delete(key);
          send(unsubscribeFrame(current.subscription));
        }
      };
    },
    [send],
  );

  const value = useMemo(() => ({ state, hasConnected, subscribe }), [state, hasConnected, subscribe]);
  return <WebSocketContext.Provider value={value}>{children}</WebSocketContext.Provider>;
}

export function useWebSocketContext(): WebSocketContextValue {
  const value = useContext(WebSocketContext);
  if (value === null) throw new Error('useWebSocket must be used inside <WebSocketProvider>');
  return value;
}
