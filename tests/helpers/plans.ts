import type { Plan } from '../../src/lib/db/plan';

/** A plan that runs no statement and gives `value`: a test's port that answers from memory, not the store. */
// biome-ignore lint/correctness/useYield: a plan with nothing to read is still a plan its caller can `yield*`.
export function* planGiving<T>(value: T): Plan<T> {
  return value;
}
