import { openDatabase } from '../../src/lib/db';
import { sqliteStore } from '../../src/lib/db/store';
import { HostSampleWriter } from '../../src/lib/metrics/hostSampleWriter';
import { rollUpClosedBuckets } from '../../src/lib/metrics/retention';

/**
 * Samples of `host` written into a running server's database (WAL), as that host's own collector
 * writes them (a worker host on a shared database), then rolled up as its maintenance does.
 */
export async function recordHostSamples(
  databasePath: string,
  host: string,
  times: readonly number[],
  cpuBusy: number,
): Promise<void> {
  const handle = openDatabase(databasePath);
  try {
    const store = sqliteStore(handle.db);
    const writer = new HostSampleWriter(store, host);
    for (const t of times) await writer.write(t, [{ metric: 'cpu.busy', entity: '', value: cpuBusy }]);
    await rollUpClosedBuckets(store, host, Date.now(), async () => {});
  } finally {
    handle.sqlite.close();
  }
}
