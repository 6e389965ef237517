'use client';

import { useWebSocket } from '@/hooks/useWebSocket';
import styles from './ConnectionStatus.module.css';

/** "Live" while the tab's socket is open; otherwise says it is (re)connecting. */
export function ConnectionStatus() {
  const { state, hasConnected } = useWebSocket();
  const label = state === 'open' ? 'Live' : hasConnected ? 'Reconnecting…' : 'Connecting…';
  return (
    <output
      className={`${styles.connection} ${state === 'open' ? styles.open : state === 'offline' ? styles.offline : ''}`}
      data-testid="connection-state"
      data-state={state}
      title={label}
    >
      <span className={styles.dot} aria-hidden="true" />
      <span className={styles.label}>{label}</span>
    </output>
  );
}
