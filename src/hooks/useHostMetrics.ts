'use client';

import { useState } from 'react';
import type { HostSample, MetricsWindowDto } from '@/lib/contracts/metrics';
import { foldSample, type LiveWindow, liveWindow } from '@/lib/presentation/metricsView';
import { useSubscription } from './useWebSocket';

export interface HostMetricsState<W extends MetricsWindowDto> {
  live: LiveWindow<W>;
  /** The newest sample: server-rendered first, then each one the `metrics` topic brings. */
  latest: HostSample | null;
  /** Starts again from a window read from the API (another range); `follows`: false for one ending in the past. */
  reset(metrics: W, spanMs: number, follows?: boolean): void;
}

/**
 * A metrics window kept live: server-rendered first, then every sample of the `metrics` topic
 * folded into it, so the page never asks the API again while it stays on one range. The topic
 * carries this server's host: a window of another host (`follows` false) takes none of it.
 */
export function useHostMetrics<W extends MetricsWindowDto>(
  initial: W,
  spanMs: number,
  initialLatest: HostSample | null = null,
  follows = true,
): HostMetricsState<W> {
  const [live, setLive] = useState(() => liveWindow(initial, spanMs));
  const [latest, setLatest] = useState(initialLatest);
  useSubscription({ topic: 'metrics' }, (frame) => {
    if (frame.type !== 'metrics.sample' || !follows) return;
    setLive((current) => foldSample(current, frame.sample));
    setLatest(frame.sample);
  });
  return {
    live,
    latest,
    reset: (metrics, span, follows) => setLive(liveWindow(metrics, span, follows)),
  };
}
