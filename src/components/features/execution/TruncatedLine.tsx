import styles from './TruncatedLine.module.css';

/** A log line that says the run's log reached its cap: set apart, so the cut is seen where it is. */
export function TruncatedLine({ text }: { text: string }) {
  return (
    <span className={styles.marker} data-testid="log-truncated">
      {text}
    </span>
  );
}
