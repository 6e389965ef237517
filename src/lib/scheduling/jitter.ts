/** murmur3's 32-bit finalizer: spreads nearby inputs (consecutive slots, ids) over the whole range. */
function mix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * How long a slot waits before firing: 0 to `jitterSeconds` whole seconds, a hash of the schedule
 * and the slot. Deterministic, so a restart computes the same fire time and the history can say it.
 */
export function jitterMs(scheduleId: number, slot: number, jitterSeconds: number): number {
  if (jitterSeconds <= 0) return 0;
  const seconds = Math.floor(slot / 1_000);
  const hash = mix32(mix32(scheduleId) ^ mix32(seconds) ^ mix32(Math.floor(seconds / 2 ** 32) + 0x9e3779b9));
  return (hash % (jitterSeconds + 1)) * 1_000;
}
