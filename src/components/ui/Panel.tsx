import { type ReactNode, useId } from 'react';
import styles from './Panel.module.css';

interface PanelProps {
  /** The heading (an h2); the panel is labelled by it. */
  title?: ReactNode;
  /** A count beside the title. */
  count?: number;
  /** Buttons and links at the heading's right. */
  actions?: ReactNode;
  testId?: string;
  className?: string;
  children: ReactNode;
  /** Extra attributes a test or a style reads (data-*). */
  data?: Record<`data-${string}`, string | number | boolean | undefined>;
}

/** A card on the page: a section with an optional heading and actions. */
export function Panel({ title, count, actions, testId, className, children, data }: PanelProps) {
  const headingId = useId();
  return (
    <section
      className={className ? `${styles.panel} ${className}` : styles.panel}
      aria-labelledby={title ? headingId : undefined}
      data-testid={testId}
      {...data}
    >
      {title || actions ? (
        <div className={styles.head}>
          {title ? (
            <h2 id={headingId} className={styles.title}>
              {title}
              {count === undefined ? null : <span className={styles.count}>{count}</span>}
            </h2>
          ) : (
            <span />
          )}
          {actions ? <div className={styles.actions}>{actions}</div> : null}
        </div>
      ) : null}
      {children}
    </section>
  );
}

/** Panels side by side while there is room (each at least `min` wide), stacked on phones. */
export function PanelGrid({ children, className }: { children: ReactNode; className?: string }) {
  return <div className={className ? `${styles.grid} ${className}` : styles.grid}>{children}</div>;
}

/** What a list says when it has nothing to list. */
export function Empty({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <p className={styles.empty} data-testid={testId}>
      {children}
    </p>
  );
}

/** A count in a pill, beside a heading. */
export function Count({ value, testId }: { value: number; testId?: string }) {
  return (
    <span className={styles.count} data-testid={testId}>
      {value}
    </span>
  );
}
