import { execute, type Plan, transaction } from '../db/plan';
import type { Store } from '../db/store';

/**
 * The engine's reads and writes on its store, in the order the engine hands them in: a run's
 * `running` before its ending, its costs before the final reconciliation. SQLite commits a write
 * when it is called (synchronously, so call order is commit order, and the engine's writes land
 * exactly when they always did). Postgres commits asynchronously: each write waits for the ones
 * before it and for the output writer's flushes handed in before it (a run's ending after its
 * last lines), and each read for the writes before it (the engine reads what it wrote).
 */
export class Ledger {
  private tail: Promise<unknown> = Promise.resolve();

  /** `outputFlushed`: settles once every output flush handed in so far has (see OutputWriter). */
  constructor(
    readonly store: Store,
    private readonly outputFlushed: () => Promise<void>,
    /** A `record` failed: the engine's to handle (a storage fault stops every run). */
    private readonly onFailed: (error: unknown) => void,
  ) {}

  /** `body` in one transaction, after every write handed in before it. */
  write<T>(body: (tx: Store) => Plan<T>): Promise<T> {
    if (this.store.dialect === 'sqlite') return transaction(this.store, body);
    return this.inTurn(() => transaction(this.store, body));
  }

  /** A write nobody waits for, and what to do once it committed: a failure goes to `onFailed`. */
  record<T>(body: (tx: Store) => Plan<T>, then?: (value: T) => void): void {
    this.write(body).then(then).catch(this.onFailed);
  }

  /** A read that sees every write handed in before it. */
  read<T>(make: (store: Store) => Plan<T>): Promise<T> {
    if (this.store.dialect === 'sqlite') return execute(this.store, make(this.store));
    return this.inTurn(() => execute(this.store, make(this.store)));
  }

  /** Settles once every write handed in so far has. */
  async settled(): Promise<void> {
    await this.tail;
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const done = this.tail.then(this.outputFlushed).then(work);
    this.tail = done.catch(() => undefined);
    return done;
  }
}
