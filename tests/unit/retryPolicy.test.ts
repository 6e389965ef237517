import { describe, expect, it } from 'vitest';
import { MAX_RETRY_DELAY_MS, retryDelayMs } from '../../src/lib/engine/retryPolicy';

describe('retryDelayMs', () => {
  it('doubles per attempt, between half and all of the step', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(1_000, attempt, () => 0))).toEqual([
      500, 1_000, 2_000, 4_000,
    ]);
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(1_000, attempt, () => 1))).toEqual([
      1_000, 2_000, 4_000, 8_000,
    ]);
  });

  it('spreads runs that failed together (jitter) and never passes the cap', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(30_000, 2)));
    expect(delays.size).toBeGreaterThan(40);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(30_000);
      expect(delay).toBeLessThanOrEqual(60_000);
    }
    expect(retryDelayMs(3_600_000, 10, () => 1)).toBe(MAX_RETRY_DELAY_MS);
  });
});
