import type { ReactNode } from 'react';
import { ConsoleFrame } from '@/components/layout/ConsoleFrame';

/** Every signed-in page: the console's shell and the tab's one WebSocket. */
export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return <ConsoleFrame>{children}</ConsoleFrame>;
}
