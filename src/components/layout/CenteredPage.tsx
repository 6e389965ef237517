import type { ReactNode } from 'react';
import styles from './CenteredPage.module.css';

/** A page outside the console's shell (sign-in, a 404 or an error above it): one narrow column. */
export function CenteredPage({ children }: { children: ReactNode }) {
  return <main className={styles.page}>{children}</main>;
}
