'use client';

import { useState } from 'react';
import type { StorageStatusDto } from '@/lib/contracts/storage';
import { useSubscription } from './useWebSocket';

/**
 * The data directory's storage, live: server-rendered first, then what the `storage` topic brings
 * (its state on subscribing, then every change).
 */
export function useStorageStatus(initial: StorageStatusDto | null): StorageStatusDto | null {
  const [status, setStatus] = useState(initial);
  useSubscription({ topic: 'storage' }, (frame) => {
    if (frame.type === 'storage.updated' || (frame.type === 'subscribed' && frame.topic === 'storage'))
      setStatus(frame.storage);
  });
  return status;
}
