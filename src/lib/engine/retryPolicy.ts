/** The longest wait between two attempts of a run, however many came before. */
export const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;

/**
 * Backoff before attempt `failedAttempt + 1`: the base doubles per attempt ("equal jitter":
 * half fixed, half random), so many runs failing together do not retry in lockstep while each
 * still waits at least half its step.
 */
export function retryDelayMs(
  baseMs: number,
  failedAttempt: number,
  random: () => number = Math.random,
): number {
  const step = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** (failedAttempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}
