'use client';

import { useState } from 'react';
import { Dialog } from '@/components/ui/Dialog';
import styles from './ConsoleShell.module.css';
import { NavLinks } from './NavLinks';

/** Under 768 px: the nav behind a menu button, in a sheet from the left (Radix Dialog). */
export function MobileMenu() {
  const [open, setOpen] = useState(false);
  return (
    <Dialog
      open={open}
      onOpenChange={setOpen}
      variant="sheet"
      title="ClaudeOps"
      testId="mobile-menu"
      trigger={
        <button
          type="button"
          className={styles.menuButton}
          aria-label="Open the menu"
          data-testid="menu-button"
        >
          <span className={styles.menuIcon} aria-hidden="true" />
        </button>
      }
    >
      <nav aria-label="Main">
        <NavLinks inDialog />
      </nav>
    </Dialog>
  );
}
