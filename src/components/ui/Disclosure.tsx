import type { ReactNode } from 'react';
import styles from './Disclosure.module.css';

/** Something shown on demand: a native `<details>` (keyboard and screen readers for free). */
export function Disclosure({
  summary,
  children,
  summaryTestId,
  testId,
  panel = false,
  defaultOpen = false,
}: {
  summary: ReactNode;
  children: ReactNode;
  summaryTestId?: string;
  testId?: string;
  /** Drawn as a panel of its own (an edit form at a page's end). */
  panel?: boolean;
  defaultOpen?: boolean;
}) {
  return (
    <details
      className={panel ? `${styles.disclosure} ${styles.panel}` : styles.disclosure}
      data-testid={testId}
      open={defaultOpen || undefined}
    >
      <summary data-testid={summaryTestId}>{summary}</summary>
      <div className={styles.body}>{children}</div>
    </details>
  );
}
