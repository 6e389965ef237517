'use client';

import Link from 'next/link';
import { Time } from '@/components/ui/Time';
import { useStorageStatus } from '@/hooks/useStorageStatus';
import type { DatabaseLinkDto, StorageStatusDto } from '@/lib/contracts/storage';
import styles from './StorageBanner.module.css';

const TITLES = { failing: 'Storage is failing', low: 'Disk space is low' } as const;

/**
 * Above every console page while the data directory's storage is not ok, or (on Postgres) while
 * the database cannot be reached: what is wrong and what to do. Live, so it goes once it is mended.
 */
export function StorageBanner({ initial }: { initial: StorageStatusDto | null }) {
  const status = useStorageStatus(initial);
  if (!status) return null;
  const lost = status.databaseLink?.state === 'unreachable' ? status.databaseLink : null;
  return (
    <>
      {lost && <DatabaseLinkBanner link={lost} />}
      {status.state !== 'ok' && (
        <div
          className={`${styles.banner} ${styles[status.state]}`}
          role="alert"
          data-testid="storage-banner"
          data-state={status.state}
        >
          <span className={styles.title}>{TITLES[status.state]}:</span> <span>{status.message}</span>
          <Link href="/system" className={styles.link}>
            Details
          </Link>
        </div>
      )}
    </>
  );
}

function DatabaseLinkBanner({ link }: { link: DatabaseLinkDto }) {
  return (
    <div className={`${styles.banner} ${styles.failing}`} role="alert" data-testid="database-banner">
      <span className={styles.title}>The database cannot be reached:</span>{' '}
      <span>
        Postgres at {link.where} ({link.cause}), since <Time epochMs={link.since} format="datetime" seconds />
        . Pages cannot load and changes are not saved until it is back; ClaudeOps reconnects by itself.
      </span>
    </div>
  );
}
