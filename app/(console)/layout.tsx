import Link from 'next/link';
import type { ReactNode } from 'react';
import { SignOutButton } from '@/components/features/auth/SignOutButton';
import { StorageBanner } from '@/components/features/storage/StorageBanner';
import { ConnectionStatus } from '@/components/ui/ConnectionStatus';
import { WebSocketProvider } from '@/contexts/WebSocketContext';
import { getRuntime } from '@/lib/server/runtime';

/** Every signed-in page: the top bar and the tab's one WebSocket. */
export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return (
    <WebSocketProvider>
      <header className="topbar">
        <Link href="/" className="brand" data-testid="nav-dashboard">
          ClaudeOps
        </Link>
        <nav className="topnav" aria-label="Main">
          <Link href="/">Dashboard</Link>
          <Link href="/workflows" data-testid="nav-workflows">
            Workflows
          </Link>
          <Link href="/health" data-testid="nav-health">
            Health
          </Link>
          <Link href="/costs" data-testid="nav-costs">
            Costs
          </Link>
          <Link href="/schedules" data-testid="nav-schedules">
            Schedules
          </Link>
          <Link href="/system" data-testid="nav-system">
            System
          </Link>
          <Link href="/agents/new" data-testid="nav-new-agent">
            New agent
          </Link>
          <Link href="/notifications" data-testid="nav-notifications">
            Notifications
          </Link>
          <Link href="/settings" data-testid="nav-settings">
            Settings
          </Link>
        </nav>
        <ConnectionStatus />
        <SignOutButton />
      </header>
      <StorageBanner initial={getRuntime()?.backend.storage.status() ?? null} />
      <main className="main">{children}</main>
    </WebSocketProvider>
  );
}
