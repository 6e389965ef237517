'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { DialogClose } from '@/components/ui/Dialog';
import { useApprovals } from '@/hooks/useApprovals';
import styles from './ConsoleShell.module.css';
import { NAV_ITEMS, sectionOf } from './navItems';

/** The sections as links, the current one marked (`aria-current="page"`). */
export function NavLinks({ inDialog = false }: { inDialog?: boolean }) {
  const current = sectionOf(usePathname());
  return (
    <ul className={styles.navList}>
      {NAV_ITEMS.map((item) => {
        const link = (
          <Link
            href={item.href}
            className={styles.navLink}
            aria-current={item === current ? 'page' : undefined}
            data-testid={item.testId}
          >
            {item.label}
            {item.pendingApprovals ? <PendingApprovalsCount /> : null}
          </Link>
        );
        return <li key={item.href}>{inDialog ? <DialogClose>{link}</DialogClose> : link}</li>;
      })}
    </ul>
  );
}

/** The pending approvals, live; nothing while none wait. */
function PendingApprovalsCount() {
  const { pending } = useApprovals();
  if (!pending) return null;
  return (
    <span className={styles.navCount} data-testid="nav-approvals-count">
      {pending}
      <span className="visually-hidden"> waiting</span>
    </span>
  );
}
