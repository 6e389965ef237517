import type Database from 'better-sqlite3';
import type { LogDraft, StepDraft } from '../claude/messages';
import type { LogLineDto, StepDto } from '../contracts/executions';
import type { SecretMasker } from '../security/secrets';
import type { ExecutionEventBus } from './executionEvents';

const FLUSH_INTERVAL_MS = 50;
const MAX_BATCH = 1_000;

interface Statements {
  insertStep: Database.Statement;
  insertLog: Database.Statement;
  advanceSeq: Database.Statement;
}

const statementsByConnection = new WeakMap<Database.Database, Statements>();

// Prepared once per connection: these run for every line of every run.
function statementsFor(sqlite: Database.Database): Statements {
  let statements = statementsByConnection.get(sqlite);
  if (!statements) {
    statements = {
      insertStep: sqlite.prepare(
        `insert into execution_steps (execution_id, seq, kind, summary, tool_name, tool_use_id, is_error, payload, created_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertLog: sqlite.prepare(
        'insert into execution_logs (execution_id, seq, level, text, created_at) values (?, ?, ?, ?, ?)',
      ),
      advanceSeq: sqlite.prepare('update executions set last_seq = ?, last_activity_at = ? where id = ?'),
    };
    statementsByConnection.set(sqlite, statements);
  }
  return statements;
}

/**
 * Buffers an execution's steps and log lines and writes them in batches: one transaction per
 * flush (every 50 ms or 1,000 entries), then one bus message per flush. Nothing is published
 * before it is committed, so a browser never shows a line the database could lose.
 */
export class ExecutionRecorder {
  private seq: number;
  private steps: StepDto[] = [];
  private logs: LogLineDto[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly statements: Statements;
  private readonly commit: () => void;

  constructor(
    sqlite: Database.Database,
    private readonly bus: ExecutionEventBus,
    private readonly executionId: number,
    lastSeq: number,
    private readonly masker: SecretMasker,
    private readonly onCommitted: () => void = () => {},
  ) {
    this.seq = lastSeq;
    this.statements = statementsFor(sqlite);
    this.commit = sqlite.transaction(() => this.writePending());
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Known secrets are masked here, before anything is stored or published. */
  addStep(draft: StepDraft): void {
    const summary = this.masker.mask(draft.summary);
    const payload = this.masker.maskJson(draft.payload);
    this.steps.push({ ...draft, summary, payload, seq: ++this.seq, createdAt: Date.now() });
    this.scheduleFlush();
  }

  addLog(draft: LogDraft): void {
    this.logs.push({ ...draft, text: this.masker.mask(draft.text), seq: ++this.seq, createdAt: Date.now() });
    this.scheduleFlush();
  }

  /** Commits everything buffered and publishes it. Synchronous: safe to call before a status change. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.steps.length === 0 && this.logs.length === 0) return;
    const steps = this.steps;
    const logs = this.logs;
    this.commit();
    this.steps = [];
    this.logs = [];
    this.bus.publishEvents({ executionId: this.executionId, seq: this.seq, steps, logs });
    this.onCommitted();
  }

  private scheduleFlush(): void {
    if (this.steps.length + this.logs.length >= MAX_BATCH) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_INTERVAL_MS);
  }

  private writePending(): void {
    const { insertStep, insertLog, advanceSeq } = this.statements;
    for (const s of this.steps) {
      insertStep.run(
        this.executionId,
        s.seq,
        s.kind,
        s.summary,
        s.toolName,
        s.toolUseId,
        s.isError ? 1 : 0,
        JSON.stringify(s.payload ?? null),
        s.createdAt,
      );
    }
    for (const l of this.logs) insertLog.run(this.executionId, l.seq, l.level, l.text, l.createdAt);
    advanceSeq.run(this.seq, Date.now(), this.executionId);
  }
}
