/**
 * `npm run bench -- --smoke` (or BENCH_SMOKE=1): every benchmark with tiny sizes, printing the same
 * lines, so CI can keep them from rotting in well under a minute. Its figures mean nothing.
 */
export const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';

/** A size: the real one, or the tiny one in a smoke run. */
export const sized = (full: number, tiny: number): number => (smoke ? tiny : full);
