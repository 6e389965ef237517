import type { SeriesValue } from '../contracts/metrics';
import type { Db } from '../db';
import { onSqlite, transactionOnSqlite } from '../db/plan';
import { ensureMetricSeries, insertHostSample } from '../db/queries/metrics';

const keyOf = ({ metric, entity }: { metric: string; entity: string }) => `${metric}\0${entity}`;

/** Writes host samples, resolving series ids once per series per process. */
export class HostSampleWriter {
  private readonly ids = new Map<string, number>();

  constructor(private readonly db: Db) {}

  write(t: number, series: readonly SeriesValue[]): void {
    const unknown = series.filter((value) => !this.ids.has(keyOf(value)));
    if (unknown.length > 0)
      for (const row of transactionOnSqlite(this.db, (tx) => ensureMetricSeries(tx, unknown, t)))
        this.ids.set(keyOf(row), row.id);
    const values = new Map<number, number>();
    for (const value of series) {
      const id = this.ids.get(keyOf(value));
      if (id !== undefined) values.set(id, value.value);
    }
    onSqlite(this.db, (store) => insertHostSample(store, t, values));
  }
}
