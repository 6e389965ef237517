'use client';

import Link from 'next/link';
import { useStorageStatus } from '@/hooks/useStorageStatus';
import type { StorageStatusDto } from '@/lib/contracts/storage';
import styles from './StorageBanner.module.css';

const TITLES = { failing: 'Storage is failing', low: 'Disk space is low' } as const;

/** Above every console page while the data directory's storage is not ok: what is wrong and what to do. */
export function StorageBanner({ initial }: { initial: StorageStatusDto | null }) {
  const status = useStorageStatus(initial);
  if (!status || status.state === 'ok') return null;
  return (
    <div
      className={`${styles.banner} ${styles[status.state]}`}
      role="alert"
      data-testid="storage-banner"
      data-state={status.state}
    >
      <span className={styles.title}>{TITLES[status.state]}:</span>
      <span>{status.message}</span>
      <Link href="/system" className={styles.link}>
        Details
      </Link>
    </div>
  );
}
