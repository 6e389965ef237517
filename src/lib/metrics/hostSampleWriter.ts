import type { SeriesValue } from '../contracts/metrics';
import { execute, transaction } from '../db/plan';
import { ensureMetricSeries, insertHostSample, registerMetricHost } from '../db/queries/metrics';
import type { Store } from '../db/store';

const keyOf = ({ metric, entity }: { metric: string; entity: string }) => `${metric}\0${entity}`;

/**
 * Writes a host's samples, resolving series ids once per series per process. Its first write
 * also lists the host among the hosts (registerMetricHost).
 */
export class HostSampleWriter {
  private readonly ids = new Map<string, number>();
  private registered = false;

  constructor(
    private readonly store: Store,
    private readonly host: string,
  ) {}

  async write(t: number, series: readonly SeriesValue[]): Promise<void> {
    const { store, host } = this;
    const unknown = series.filter((value) => !this.ids.has(keyOf(value)));
    if (unknown.length > 0 || !this.registered) {
      const rows = await transaction(store, function* (tx) {
        yield* registerMetricHost(tx, host, t);
        return unknown.length > 0 ? yield* ensureMetricSeries(tx, unknown, t) : [];
      });
      for (const row of rows) this.ids.set(keyOf(row), row.id);
      this.registered = true;
    }
    const values = new Map<number, number>();
    for (const value of series) {
      const id = this.ids.get(keyOf(value));
      if (id !== undefined) values.set(id, value.value);
    }
    // The insert is prepared once per connection (insertHostSample): nothing composed per sample.
    await execute(store, insertHostSample(store, host, t, values));
  }
}
