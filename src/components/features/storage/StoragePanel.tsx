'use client';

import { Fact, Facts } from '@/components/ui/Facts';
import { Panel } from '@/components/ui/Panel';
import { Time } from '@/components/ui/Time';
import { useStorageStatus } from '@/hooks/useStorageStatus';
import { diskUsedShare } from '@/lib/contracts/metrics';
import type { DatabaseUsageDto, PruneRoundDto, StorageStatusDto } from '@/lib/contracts/storage';
import { formatBytes, formatCount, formatDuration, formatPercent } from '@/lib/presentation/format';
import styles from './StoragePanel.module.css';

const STATE_LABELS = { ok: 'ok', low: 'low: new runs refused', failing: 'failing: writes refused' } as const;

function FreeSpace({ status }: { status: StorageStatusDto }) {
  const { freeBytes, totalBytes, usedBytes, floorBytes } = status;
  if (freeBytes === null || totalBytes === null) return <span>unknown (the directory cannot be read)</span>;
  const usedShare =
    diskUsedShare(usedBytes ?? totalBytes - freeBytes, usedBytes === null ? null : freeBytes, totalBytes) ??
    0;
  const tone = status.state === 'failing' ? styles.usedFailing : status.state === 'low' ? styles.usedLow : '';
  return (
    <>
      {formatBytes(freeBytes)} free of {formatBytes(totalBytes)},{' '}
      <span data-testid="storage-used-share">{formatPercent(usedShare)} used</span>
      {floorBytes === null ? null : ` (floor ${formatBytes(floorBytes)})`}
      <div className={styles.meter} aria-hidden="true">
        <div className={`${styles.used} ${tone}`} style={{ width: `${(usedShare * 100).toFixed(1)}%` }} />
      </div>
    </>
  );
}

function LastRound({ round }: { round: PruneRoundDto }) {
  return (
    <p className={styles.note} data-testid="database-last-round">
      Last pruning round <Time epochMs={round.at} />:{' '}
      {round.runs === 0
        ? 'nothing was past the retention.'
        : `${formatCount(round.rows)} lines and steps of ${formatCount(round.runs)} runs dropped in ${formatDuration(round.durationMs)}, in transactions of ${round.medianBatchMs} ms (the longest ${round.longestBatchMs} ms).`}
    </p>
  );
}

/** The data directory's storage (live) and the database's size with what output retention frees. */
export function StoragePanel({
  initial,
  database,
}: {
  initial: StorageStatusDto | null;
  database: DatabaseUsageDto | null;
}) {
  const status = useStorageStatus(initial);
  return (
    <Panel title="Storage" testId="storage-panel">
      {status ? (
        <div className={styles.section}>
          <Facts>
            <Fact label="State" testId="storage-state">
              {STATE_LABELS[status.state]}
            </Fact>
            <Fact label="Data directory" testId="storage-data-dir">
              <span className={styles.path}>{status.dataDir}</span>
            </Fact>
            <Fact label="Free space" testId="storage-free">
              <FreeSpace status={status} />
            </Fact>
          </Facts>
          {status.message ? <p className={styles.note}>{status.message}</p> : null}
        </div>
      ) : null}
      {database ? (
        <div className={styles.section}>
          <h3 className={styles.heading}>Database</h3>
          <Facts>
            <Fact label="File" testId="database-file">
              {formatBytes(database.fileBytes)}
            </Fact>
            <Fact label="Write-ahead log" testId="database-wal">
              {formatBytes(database.walBytes)}
            </Fact>
            <Fact label="Free inside" testId="database-free">
              {formatBytes(database.freeBytes)}
            </Fact>
            <Fact label="Run output kept" testId="database-kept">
              {formatCount(database.keptRows)} lines and steps of {formatCount(database.keptRuns)} runs
            </Fact>
            <Fact label="Retention" testId="database-retention">
              {database.retentionDays === null
                ? 'kept forever'
                : `${database.retentionDays} days: ${formatCount(database.prunableRows)} lines and steps of ${formatCount(database.prunableRuns)} runs to drop`}
            </Fact>
            <Fact label="Output dropped" testId="database-pruned">
              {formatCount(database.prunedRuns)} runs (each keeps its cost and result)
            </Fact>
          </Facts>
          {database.lastRound ? <LastRound round={database.lastRound} /> : null}
        </div>
      ) : null}
    </Panel>
  );
}
