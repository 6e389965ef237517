import type { ReactNode } from 'react';
import { StorageBanner } from '@/components/features/storage/StorageBanner';
import { ConsoleFrame } from '@/components/layout/ConsoleFrame';
import { getRuntime } from '@/lib/server/runtime';

/** Every signed-in page: the console's shell, the tab's one WebSocket, and the storage banner when due. */
export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return (
    <ConsoleFrame banner={<StorageBanner initial={getRuntime()?.backend.storage.status() ?? null} />}>
      {children}
    </ConsoleFrame>
  );
}
