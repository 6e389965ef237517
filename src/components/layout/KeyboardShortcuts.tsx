'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { Dialog } from '@/components/ui/Dialog';
import { focusPageSearch, requestSearchFocus } from '@/components/ui/searchFocus';
import styles from './ConsoleShell.module.css';
import { NAV_ITEMS } from './navItems';

/** How long after `g` the second key counts. */
const SEQUENCE_MS = 1_500;

/** Keys typed into a field are the field's, never shortcuts. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/**
 * The console's keyboard shortcuts: `g` then a section's key goes there, `/` focuses the page's
 * search (the Runs page's when this page has none), `?` opens this list. Renders the `?` button.
 */
export function KeyboardShortcuts() {
  const router = useRouter();
  const [open, setOpen] = useState(false);

  useEffect(() => {
    let gPressedAt = 0;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.metaKey || event.ctrlKey || event.altKey) return;
      if (isTyping(event.target)) return;
      if (gPressedAt > 0 && event.timeStamp - gPressedAt < SEQUENCE_MS) {
        gPressedAt = 0;
        const item = NAV_ITEMS.find((candidate) => candidate.key === event.key);
        if (item) {
          event.preventDefault();
          router.push(item.href);
        }
        return;
      }
      if (event.key === 'g') {
        gPressedAt = event.timeStamp;
      } else if (event.key === '/') {
        event.preventDefault();
        if (!focusPageSearch()) {
          requestSearchFocus();
          router.push('/runs');
        }
      } else if (event.key === '?') {
        event.preventDefault();
        setOpen(true);
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [router]);

  return (
    <Dialog
      open={open}
      onOpenChange={setOpen}
      title="Keyboard shortcuts"
      testId="shortcuts-dialog"
      trigger={
        <button
          type="button"
          className={`${styles.toolButton} ${styles.keyboardOnly}`}
          aria-label="Keyboard shortcuts"
          title="Keyboard shortcuts (?)"
          data-testid="shortcuts-button"
        >
          <span aria-hidden="true">?</span>
        </button>
      }
    >
      <dl className={styles.shortcuts}>
        <div className={styles.shortcutRow}>
          <dt>
            <kbd>/</kbd>
          </dt>
          <dd>Search (this page’s, or the runs)</dd>
        </div>
        <div className={styles.shortcutRow}>
          <dt>
            <kbd>?</kbd>
          </dt>
          <dd>This list</dd>
        </div>
        {NAV_ITEMS.map((item) => (
          <div key={item.key} className={styles.shortcutRow}>
            <dt>
              <kbd>g</kbd> <kbd>{item.key}</kbd>
            </dt>
            <dd>Go to {item.label}</dd>
          </div>
        ))}
      </dl>
    </Dialog>
  );
}
