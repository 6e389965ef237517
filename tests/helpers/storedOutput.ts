import Database from 'better-sqlite3';

/** Every committed sequence number of a run's steps and log lines above `afterSeq`, in order, read from the file. */
export function committedSeqs(databasePath: string, executionId: number, afterSeq = 0): number[] {
  const db = new Database(databasePath, { readonly: true });
  try {
    const rows = db
      .prepare(
        `select seq from execution_steps where execution_id = ? and seq > ?
         union all select seq from execution_logs where execution_id = ? and seq > ? order by seq`,
      )
      .all(executionId, afterSeq, executionId, afterSeq) as { seq: number }[];
    return rows.map((row) => row.seq);
  } finally {
    db.close();
  }
}
