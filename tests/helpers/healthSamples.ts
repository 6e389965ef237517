import type { SeriesValue } from '../../src/lib/contracts/metrics';

const GiB = 1024 ** 3;
const HOUR = 3_600_000;

/**
 * A sample at `t` of a two-core machine the health reporter's tests ask about: CPU 60% busy in the
 * hour before `now` and 20% before it, memory 25% available, the root disk 80% full at `now` and
 * filling by 2 GiB a day (20 GiB free: ten days).
 */
export function healthSeries(t: number, now: number): SeriesValue[] {
  return [
    { metric: 'cpu.busy', entity: '', value: t > now - HOUR ? 0.6 : 0.2 },
    { metric: 'cpu.busy', entity: '0', value: 0.5 },
    { metric: 'cpu.busy', entity: '1', value: 0.7 },
    { metric: 'load.1', entity: '', value: 1.5 },
    { metric: 'memory.total', entity: '', value: 8 * GiB },
    { metric: 'memory.available', entity: '', value: 2 * GiB },
    { metric: 'fs.size', entity: '/', value: 100 * GiB },
    { metric: 'fs.used', entity: '/', value: 80 * GiB + ((t - now) / (24 * HOUR)) * 2 * GiB },
  ];
}
