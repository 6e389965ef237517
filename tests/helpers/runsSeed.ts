import Database from 'better-sqlite3';
import type { ExecutionStatus, ExecutionTrigger, LogLevel } from '../../src/lib/contracts/executions';

/** A finished run written straight into a server's database (WAL: the server keeps running). */
export interface SeededRun {
  agentId: number;
  prompt: string;
  status?: ExecutionStatus;
  trigger?: ExecutionTrigger;
  createdAt: number;
  durationMs?: number;
  costMicros?: number;
  resultText?: string;
}

function open(databasePath: string) {
  const db = new Database(databasePath);
  db.pragma('busy_timeout = 10000');
  return db;
}

/** Inserts finished runs in one transaction and returns their ids, in the order given. */
export function seedRuns(databasePath: string, runs: readonly SeededRun[]): number[] {
  const db = open(databasePath);
  try {
    const insert = db.prepare(
      `insert into executions (agent_id, trigger, status, prompt, model, created_at, started_at, finished_at,
         duration_ms, cost_micros, result_text, input_tokens, output_tokens)
       values (?, ?, ?, ?, 'claude-sonnet-4-5', ?, ?, ?, ?, ?, ?, 1200, 80)`,
    );
    return db.transaction(() =>
      runs.map((run) => {
        const duration = run.durationMs ?? 1_000;
        const { lastInsertRowid } = insert.run(
          run.agentId,
          run.trigger ?? 'manual',
          run.status ?? 'completed',
          run.prompt,
          run.createdAt,
          run.createdAt,
          run.createdAt + duration,
          duration,
          run.costMicros ?? 0,
          run.resultText ?? null,
        );
        return Number(lastInsertRowid);
      }),
    )();
  } finally {
    db.close();
  }
}

const defaultLineText = (n: number): string =>
  `line ${n} ${n % 1000 === 0 ? 'checkpoint reached' : 'scanning /var/log'}${n % 97 === 0 ? ` ${'x'.repeat(240)}` : ''}`;

/**
 * A finished run with `count` log lines (`line 1 …` to `line <count> …`); the lines whose number
 * `levelOf` picks get that level, the others are `info`; `textOf` may give other text. Returns the run's id.
 */
export function seedLongLogRun(
  databasePath: string,
  run: SeededRun,
  count: number,
  levelOf: (lineNumber: number) => LogLevel = () => 'info',
  textOf: (lineNumber: number) => string = defaultLineText,
): number {
  const [id] = seedRuns(databasePath, [run]);
  if (id === undefined) throw new Error('no run inserted');
  const db = open(databasePath);
  try {
    const insert = db.prepare(
      'insert into execution_logs (execution_id, seq, level, text, created_at) values (?, ?, ?, ?, ?)',
    );
    db.transaction(() => {
      for (let n = 1; n <= count; n++) {
        insert.run(id, n, levelOf(n), textOf(n), run.createdAt + n);
      }
      db.prepare('update executions set last_seq = ? where id = ?').run(count, id);
    })();
  } finally {
    db.close();
  }
  return id;
}
