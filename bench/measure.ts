import { sized } from './smoke';
import { percentile } from './stats';

export interface BenchResult {
  name: string;
  samplesMs: number[];
  baseline?: BenchResult;
}

export function timeIt(name: string, runs: number, fn: () => void): BenchResult {
  fn(); // warm-up: statement preparation, page cache
  const samplesMs: number[] = [];
  for (let i = 0; i < sized(runs, Math.min(runs, 3)); i++) {
    const start = process.hrtime.bigint();
    fn();
    samplesMs.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { name, samplesMs };
}

/** The same for work that waits on I/O (a local server, a socket). */
export async function timeItAsync(
  name: string,
  runs: number,
  fn: () => Promise<unknown>,
): Promise<BenchResult> {
  await fn();
  const samplesMs: number[] = [];
  for (let i = 0; i < sized(runs, Math.min(runs, 3)); i++) {
    const start = process.hrtime.bigint();
    await fn();
    samplesMs.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { name, samplesMs };
}

export function report(results: BenchResult[]): void {
  for (const result of results) {
    const p50 = percentile(result.samplesMs, 50);
    let line = `${result.name.padEnd(58)} p50 ${p50.toFixed(2).padStart(9)} ms  p95 ${percentile(result.samplesMs, 95).toFixed(2).padStart(9)} ms`;
    if (result.baseline) {
      const base = percentile(result.baseline.samplesMs, 50);
      // A cost (the outbox beside a bare POST) reads as a cost, never as "0.2× faster".
      line +=
        base >= p50
          ? `  ${(base / p50).toFixed(1)}× faster than baseline`
          : `  ${(p50 / base).toFixed(1)}× the baseline's time`;
    }
    console.log(line);
  }
}
