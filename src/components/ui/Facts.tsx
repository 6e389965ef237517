import type { ReactNode } from 'react';
import styles from './Facts.module.css';

/** Labelled figures in a grid that wraps to the width it has. */
export function Facts({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <dl className={styles.facts} data-testid={testId}>
      {children}
    </dl>
  );
}

/** One labelled figure of `<Facts>`. */
export function Fact({ label, testId, children }: { label: string; testId?: string; children: ReactNode }) {
  return (
    <div className={styles.fact}>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}
