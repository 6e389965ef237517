'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { DialogClose } from '@/components/ui/Dialog';
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
          </Link>
        );
        return <li key={item.href}>{inDialog ? <DialogClose>{link}</DialogClose> : link}</li>;
      })}
    </ul>
  );
}
