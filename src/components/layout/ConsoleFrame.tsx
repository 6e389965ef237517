import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import { WebSocketProvider } from '@/contexts/WebSocketContext';
import { parseTheme, THEME_COOKIE } from '@/lib/presentation/preferences';
import { ConsoleShell } from './ConsoleShell';

/**
 * A signed-in page's frame: the tab's one WebSocket and the console's shell, in the reader's theme,
 * with a banner above the page when one is due.
 */
export async function ConsoleFrame({ banner, children }: { banner?: ReactNode; children: ReactNode }) {
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <WebSocketProvider>
      <ConsoleShell theme={theme} banner={banner}>
        {children}
      </ConsoleShell>
    </WebSocketProvider>
  );
}
