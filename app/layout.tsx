import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import '@/styles/tokens.css';
import '@/styles/base.css';
import { ClockProvider } from '@/contexts/ClockContext';
import { isTimeZone } from '@/lib/presentation/format';
import {
  DEFAULT_TIME_ZONE,
  parseTheme,
  THEME_COOKIE,
  TIME_ZONE_COOKIE,
} from '@/lib/presentation/preferences';

export const metadata: Metadata = {
  title: { default: 'ClaudeOps', template: '%s · ClaudeOps' },
  description: 'Run Claude Code agents on this machine and watch every step live.',
};

/**
 * Every page: the reader's theme and time zone come from cookies, so the server's HTML is already
 * in them. Reading cookies also keeps every page (the 404 too) rendered per request, with the
 * request's CSP nonce on its scripts.
 */
export default async function RootLayout({ children }: { children: ReactNode }) {
  const jar = await cookies();
  const theme = parseTheme(jar.get(THEME_COOKIE)?.value);
  const zone = jar.get(TIME_ZONE_COOKIE)?.value;
  return (
    <html lang="en" data-theme={theme === 'system' ? undefined : theme}>
      <body>
        <ClockProvider renderedAt={Date.now()} timeZone={zone && isTimeZone(zone) ? zone : DEFAULT_TIME_ZONE}>
          {children}
        </ClockProvider>
      </body>
    </html>
  );
}
