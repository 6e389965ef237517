import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { ConnectionStatus } from '@/components/ui/ConnectionStatus';
import { WebSocketProvider } from '@/contexts/WebSocketContext';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'ClaudeOps', template: '%s · ClaudeOps' },
  description: 'Run Claude Code agents on this machine and watch every step live.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <WebSocketProvider>
          <header className="topbar">
            <Link href="/" className="brand" data-testid="nav-dashboard">
              ClaudeOps
            </Link>
            <nav className="topnav" aria-label="Main">
              <Link href="/">Dashboard</Link>
              <Link href="/agents/new" data-testid="nav-new-agent">
                New agent
              </Link>
            </nav>
            <ConnectionStatus />
          </header>
          <main className="main">{children}</main>
        </WebSocketProvider>
      </body>
    </html>
  );
}
