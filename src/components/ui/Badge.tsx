import type { ReactNode } from 'react';
import styles from './Badge.module.css';

export type Tone = 'ok' | 'bad' | 'warn' | 'active' | 'neutral';

/** A status in a pill: its tone is its colour, the text says it in words. */
export function Badge({
  tone,
  children,
  testId,
  data,
  title,
}: {
  tone: Tone;
  children: ReactNode;
  testId?: string;
  data?: Record<`data-${string}`, string | number | boolean | undefined>;
  title?: string;
}) {
  return (
    <span className={`${styles.badge} ${styles[tone]}`} data-testid={testId} title={title} {...data}>
      {children}
    </span>
  );
}

/** A small outlined label beside a name: `built-in`, `paused`. */
export function Tag({
  children,
  warn = false,
  testId,
  title,
}: {
  children: ReactNode;
  warn?: boolean;
  testId?: string;
  title?: string;
}) {
  return (
    <span
      className={warn ? `${styles.tag} ${styles.tagWarn}` : styles.tag}
      data-testid={testId}
      title={title}
    >
      {children}
    </span>
  );
}
