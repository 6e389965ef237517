/**
 * The rows of a write with `returning()`, always read with `all()`, never `get()`: better-sqlite3's
 * get() steps once and ignores the error of the reset that follows, and a statement outside a
 * transaction commits at that reset. On a full disk, get() hands back a row (and its id) that was
 * never stored; all() steps to the end and throws. `lint/no-returning-get.grit` keeps it so.
 */

/** The one row an insert wrote. */
export function insertedRow<T>(rows: T[]): T {
  const [row] = rows;
  if (row === undefined) throw new Error('An insert … returning gave back no row');
  return row;
}

/** The row an update changed, if one matched. */
export const updatedRow = <T>(rows: T[]): T | undefined => rows[0];
