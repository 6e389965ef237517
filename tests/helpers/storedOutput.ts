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

export interface StoredStep {
  seq: number;
  kind: string;
  summary: string;
  toolName: string | null;
  isError: boolean;
  payload: Record<string, unknown> | null;
}

/** A run's committed steps, read from the database file (as stored, whatever the run's state). */
export function storedSteps(databasePath: string, executionId: number): StoredStep[] {
  const db = new Database(databasePath, { readonly: true });
  try {
    const rows = db
      .prepare(
        `select seq, kind, summary, tool_name, is_error, payload from execution_steps
         where execution_id = ? order by seq`,
      )
      .all(executionId) as {
      seq: number;
      kind: string;
      summary: string;
      tool_name: string | null;
      is_error: number;
      payload: string;
    }[];
    return rows.map((row) => ({
      seq: row.seq,
      kind: row.kind,
      summary: row.summary,
      toolName: row.tool_name,
      isError: row.is_error === 1,
      payload: JSON.parse(row.payload) as Record<string, unknown> | null,
    }));
  } finally {
    db.close();
  }
}
