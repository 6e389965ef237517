import type { DbHandle } from '../../src/lib/db';
import { sqliteStore } from '../../src/lib/db/store';
import { Ledger } from '../../src/lib/engine/ledger';

/** The engine's ledger on a test database, with no output writer in front of it; a failed `record` fails the test. */
export function ledgerOn(handle: DbHandle): Ledger {
  return new Ledger(
    sqliteStore(handle.db),
    async () => {},
    (error) => {
      throw error;
    },
  );
}
