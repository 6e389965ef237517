import type { ReactNode } from 'react';
import styles from './PageHeader.module.css';

/** A page's title (the one h1), a line about it, and its actions. */
export function PageHeader({
  title,
  description,
  actions,
  titleTestId,
}: {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  titleTestId?: string;
}) {
  return (
    <div className={styles.header}>
      <div className={styles.titles}>
        <h1 className={styles.title} data-testid={titleTestId}>
          {title}
        </h1>
        {description ? <div className={styles.description}>{description}</div> : null}
      </div>
      {actions ? <div className={styles.actions}>{actions}</div> : null}
    </div>
  );
}
