import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import { ConsoleShell } from '@/components/layout/ConsoleShell';
import { WebSocketProvider } from '@/contexts/WebSocketContext';
import { parseTheme, THEME_COOKIE } from '@/lib/presentation/preferences';

/** Every signed-in page: the console's shell and the tab's one WebSocket. */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <WebSocketProvider>
      <ConsoleShell theme={theme}>{children}</ConsoleShell>
    </WebSocketProvider>
  );
}
