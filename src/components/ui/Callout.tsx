import type { ReactNode } from 'react';
import styles from './Callout.module.css';

export type CalloutTone = 'error' | 'ok' | 'warn' | 'info';

/**
 * A boxed message: an error, a confirmation, a warning. `alert` makes a screen reader say it at once
 * (for what appears after an action).
 */
export function Callout({
  tone,
  title,
  children,
  testId,
  alert = false,
  as: Element = 'div',
  data,
}: {
  tone: CalloutTone;
  title?: ReactNode;
  children?: ReactNode;
  testId?: string;
  alert?: boolean;
  as?: 'div' | 'p' | 'section';
  data?: Record<`data-${string}`, string | number | boolean | undefined>;
}) {
  return (
    <Element
      className={`${styles.callout} ${styles[tone]}`}
      role={alert ? 'alert' : undefined}
      data-testid={testId}
      {...data}
    >
      {title ? <div className={styles.title}>{title}</div> : null}
      {children}
    </Element>
  );
}
