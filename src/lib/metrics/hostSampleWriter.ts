import type { SeriesValue } from '../contracts/metrics';
import { execute, transaction } from '../db/plan';
import { ensureMetricSeries, insertHostSample } from '../db/queries/metrics';
import type { Store } from '../db/store';

const keyOf = ({ metric, entity }: { metric: string; entity: string }) => `${metric}\0${entity}`;

/** Writes a host's samples, resolving series ids once per series per process. */
export class HostSampleWriter {
  private readonly ids = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly host: string,
  ) {}

  async write(t: number, series: readonly SeriesValue[]): Promise<void> {
    const { store, host } = this;
    const unknown = series.filter((value) => !this.ids.has(keyOf(value)));
    if (unknown.length > 0)
      for (const row of await transaction(store, (tx) => ensureMetricSeries(tx, unknown, t)))
        this.ids.set(keyOf(row), row.id);
    const values = new Map<number, number>();
    for (const value of series) {
      const id = this.ids.get(keyOf(value));
      if (id !== undefined) values.set(id, value.value);
    }
    // The insert is prepared once per connection (insertHostSample): nothing composed per sample.
    await execute(store, insertHostSample(store, host, t, values));
  }
}
