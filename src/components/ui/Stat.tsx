import type { ReactNode } from 'react';
import styles from './Stat.module.css';

/** A headline figure with its label (and a note under it). */
export function Stat({
  label,
  children,
  note,
  testId,
  align = 'start',
  title,
}: {
  label: ReactNode;
  children: ReactNode;
  note?: ReactNode;
  testId?: string;
  align?: 'start' | 'end';
  title?: string;
}) {
  return (
    <div className={align === 'end' ? `${styles.stat} ${styles.end}` : styles.stat} title={title}>
      <span className={styles.label}>{label}</span>
      <span className={styles.value} data-testid={testId}>
        {children}
      </span>
      {note ? <span className={styles.note}>{note}</span> : null}
    </div>
  );
}
