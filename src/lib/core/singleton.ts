/**
 * Process-wide instances. server.ts and Next's compiled routes are separate module graphs that
 * share one process, so a module-level variable would exist twice; these live on globalThis
 * under a registered symbol instead.
 */
const store = globalThis as unknown as Record<symbol, unknown>;
const keyOf = (name: string) => Symbol.for(`claudeops.${name}`);

export interface GlobalSlot<T> {
  get(): T | undefined;
  set(value: T | undefined): void;
}

/** A named process-wide slot, for instances that are installed and removed (the database, the runtime). */
export function globalSlot<T>(name: string): GlobalSlot<T> {
  const key = keyOf(name);
  return {
    get: () => store[key] as T | undefined,
    set: (value) => {
      if (value === undefined) delete store[key];
      else store[key] = value;
    },
  };
}

/** The process's one instance of `name`, created on first use. */
export function singleton<T>(name: string, create: () => T): T {
  const key = keyOf(name);
  if (!(key in store)) store[key] = create();
  return store[key] as T;
}
