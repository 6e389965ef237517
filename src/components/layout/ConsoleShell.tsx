import Link from 'next/link';
import type { ReactNode } from 'react';
import { SignOutButton } from '@/components/features/auth/SignOutButton';
import { ConnectionStatus } from '@/components/ui/ConnectionStatus';
import { TooltipProvider } from '@/components/ui/Tooltip';
import type { Theme } from '@/lib/presentation/preferences';
import styles from './ConsoleShell.module.css';
import { KeyboardShortcuts } from './KeyboardShortcuts';
import { MobileMenu } from './MobileMenu';
import { NavLinks } from './NavLinks';
import { ThemeMenu } from './ThemeMenu';

/**
 * Every signed-in page: one bar that is a sidebar from 768 px and a top bar with a menu below, and
 * the page. Each control exists once in the DOM (the nav's links twice only while the phone's menu
 * is open).
 */
export function ConsoleShell({
  theme,
  banner,
  children,
}: {
  theme: Theme;
  /** Above the page while something needs attention everywhere (storage failing). */
  banner?: ReactNode;
  children: ReactNode;
}) {
  return (
    <TooltipProvider>
      <div className={styles.shell}>
        <a href="#main" className={styles.skipLink}>
          Skip to content
        </a>
        <header className={styles.bar}>
          <div className={styles.menu}>
            <MobileMenu />
          </div>
          <Link href="/" className={styles.brand} data-testid="nav-brand">
            ClaudeOps
          </Link>
          <nav className={styles.sideNav} aria-label="Main">
            <NavLinks />
          </nav>
          <div className={styles.tools}>
            <ConnectionStatus />
            <div className={styles.toolButtons}>
              <ThemeMenu initial={theme} />
              <KeyboardShortcuts />
              <SignOutButton />
            </div>
          </div>
        </header>
        <main id="main" className={styles.main}>
          {banner}
          {children}
        </main>
      </div>
    </TooltipProvider>
  );
}
