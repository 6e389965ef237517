/** The p-th percentile of samples (nearest rank). */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Now, in ms since the epoch with sub-millisecond precision: comparable across processes on this machine. */
export const preciseNow = () => performance.timeOrigin + performance.now();

export const ms = (value: number) => `${value.toFixed(1)} ms`;
