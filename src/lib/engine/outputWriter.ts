import type Database from 'better-sqlite3';
import type { LogDraft, StepDraft } from '../claude/messages';
import { LOG_TRUNCATED_MARKER, type LogLineDto, type StepDto } from '../contracts/executions';
import type { ExecutionProgress } from '../db/queries/executions';
import { formatBytes } from '../presentation/format';
import type { SecretMasker } from '../security/secrets';

/** Rows one transaction may take; a flood is cut into transactions of this size. */
export const MAX_BATCH_ROWS = 1_000;

/** What one commit stored for one execution, handed on only after the commit. */
export interface CommittedOutput {
  executionId: number;
  seq: number;
  steps: StepDto[];
  logs: LogLineDto[];
  /** The progress figures written in the same commit, if they changed. */
  progress: ExecutionProgress | null;
}

interface Statements {
  insertStep: Database.Statement;
  insertLog: Database.Statement;
  advance: Database.Statement;
  advanceWithProgress: Database.Statement;
}

function prepare(sqlite: Database.Database): Statements {
  return {
    insertStep: sqlite.prepare(
      `insert into execution_steps (execution_id, seq, kind, summary, tool_name, tool_use_id, is_error, payload, created_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertLog: sqlite.prepare(
      'insert into execution_logs (execution_id, seq, level, text, created_at) values (?, ?, ?, ?, ?)',
    ),
    advance: sqlite.prepare('update executions set last_seq = ?, last_activity_at = ? where id = ?'),
    advanceWithProgress: sqlite.prepare(
      `update executions set last_seq = ?, last_activity_at = ?, input_tokens = ?, output_tokens = ?,
       cache_creation_tokens = ?, cache_read_tokens = ?, num_turns = ?, api_retry_count = ? where id = ?`,
    ),
  };
}

/**
 * One execution's output: numbers its steps and log lines from one sequence, masks known secrets
 * before anything is stored or shown, and hands them to the shared writer. Past its log cap, lines
 * are counted instead of stored, behind one marker line that says so.
 */
export class RunOutput {
  steps: StepDto[] = [];
  logs: LogLineDto[] = [];
  progress: ExecutionProgress | null = null;
  /** In the writer's set of outputs to commit. */
  queued = false;
  private seq: number;
  private logBytes = 0;
  private dropped = { lines: 0, bytes: 0 };
  private closed = false;

  constructor(
    private readonly writer: OutputWriter,
    readonly executionId: number,
    lastSeq: number,
    private readonly masker: SecretMasker,
    private readonly logCapBytes: number,
  ) {
    this.seq = lastSeq;
  }

  /** The highest sequence number handed out (committed or about to be). */
  get lastSeq(): number {
    return this.seq;
  }

  get pendingRows(): number {
    return this.steps.length + this.logs.length;
  }

  addStep(draft: StepDraft): void {
    if (this.closed) return;
    const summary = this.masker.mask(draft.summary);
    const payload = this.masker.maskJson(draft.payload);
    this.steps.push({ ...draft, summary, payload, seq: ++this.seq, createdAt: Date.now() });
    this.writer.pending(this);
  }

  /** The hot path (a tool's output can be 100k lines): one small object per line, nothing else. */
  addLog(draft: LogDraft): void {
    if (this.closed) return;
    // UTF-16 length: close enough to the stored size for a cap, and free to read.
    this.logBytes += draft.text.length;
    if (this.logBytes > this.logCapBytes) {
      if (this.dropped.lines === 0) this.push('warn', truncationText(this.logCapBytes));
      this.dropped.lines += 1;
      this.dropped.bytes += draft.text.length;
      return;
    }
    this.push(draft.level, this.masker.mask(draft.text));
  }

  /** At the run's end: how much the cap kept out, as the last line, if anything was. */
  closeTruncation(): void {
    const { lines, bytes } = this.dropped;
    if (lines === 0 || this.closed) return;
    this.push(
      'warn',
      `${LOG_TRUNCATED_MARKER} ${lines.toLocaleString('en-US')} more lines (${formatBytes(bytes)}) were not stored`,
    );
  }

  /** What was just committed, handed on; the output starts empty again. */
  take(): CommittedOutput {
    const batch = {
      executionId: this.executionId,
      seq: this.seq,
      steps: this.steps,
      logs: this.logs,
      progress: this.progress,
    };
    this.drop();
    return batch;
  }

  /** Forgets what a failed commit did not store. */
  drop(): void {
    this.steps = [];
    this.logs = [];
    this.progress = null;
    this.queued = false;
  }

  /** Nothing more is taken (a storage fault stopped the run: its last lines cannot be stored). */
  close(): void {
    this.closed = true;
    this.drop();
  }

  private push(level: LogLineDto['level'], text: string): void {
    this.logs.push({ seq: ++this.seq, level, text, createdAt: Date.now() });
    this.writer.pending(this);
  }

  /** New figures to store with the next commit (tokens, turns, API retries). */
  setProgress(progress: ExecutionProgress): void {
    this.progress = progress;
    this.writer.pending(this);
  }

  /** Commits everything pending now (before a status change that must come after it). */
  flush(): void {
    this.writer.flush();
  }
}

const truncationText = (capBytes: number) =>
  `${LOG_TRUNCATED_MARKER} This run's log reached its cap of ${formatBytes(capBytes)}: further lines are counted, not stored (the run goes on)`;

/**
 * Group commit for every running execution: what accumulates while the event loop is busy is
 * written in one transaction as soon as the loop comes round (setImmediate), so a line waits for at
 * most one turn of the loop instead of a fixed timer, and a flood still costs one transaction per
 * MAX_BATCH_ROWS. Nothing is handed on before its commit, so nothing shown can be lost.
 */
export class OutputWriter {
  private readonly statements: Statements;
  private readonly dirty = new Set<RunOutput>();
  private scheduled: NodeJS.Immediate | undefined;
  private readonly commit: (outputs: RunOutput[]) => void;

  /**
   * `onFailed`: a commit failed (its rows are not stored, and are dropped): the writer never
   * throws, since it mostly runs on its own turn of the event loop, where a throw would be uncaught.
   */
  constructor(
    sqlite: Database.Database,
    private readonly masker: SecretMasker,
    private readonly onCommitted: (outputs: CommittedOutput[]) => void,
    private readonly onFailed: (error: unknown, executionIds: number[]) => void,
  ) {
    this.statements = prepare(sqlite);
    this.commit = sqlite.transaction((outputs: RunOutput[]) => {
      for (const output of outputs) this.write(output);
    });
  }

  /** `logCapBytes`: how much log text the run may store (the `runLogCapMb` setting). */
  open(executionId: number, lastSeq: number, logCapBytes = Number.POSITIVE_INFINITY): RunOutput {
    return new RunOutput(this, executionId, lastSeq, this.masker, logCapBytes);
  }

  /** Called by a RunOutput that has something to write. */
  pending(output: RunOutput): void {
    if (output.pendingRows >= MAX_BATCH_ROWS) {
      this.dirty.add(output);
      this.flush();
      return;
    }
    if (output.queued) return;
    output.queued = true;
    this.dirty.add(output);
    this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Commits everything pending, in one transaction, then hands it on. Synchronous; never throws. */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.dirty.size === 0) return;
    const outputs = [...this.dirty];
    this.dirty.clear();
    try {
      this.commit(outputs);
    } catch (error) {
      for (const output of outputs) output.drop();
      this.onFailed(
        error,
        outputs.map((output) => output.executionId),
      );
      return;
    }
    this.onCommitted(outputs.map((output) => output.take()));
  }

  private write(output: RunOutput): void {
    const { insertStep, insertLog, advance, advanceWithProgress } = this.statements;
    const id = output.executionId;
    for (const s of output.steps) {
      const payload = JSON.stringify(s.payload ?? null);
      insertStep.run(
        id,
        s.seq,
        s.kind,
        s.summary,
        s.toolName,
        s.toolUseId,
        s.isError ? 1 : 0,
        payload,
        s.createdAt,
      );
    }
    for (const l of output.logs) insertLog.run(id, l.seq, l.level, l.text, l.createdAt);
    const p = output.progress;
    if (p)
      advanceWithProgress.run(
        output.lastSeq,
        Date.now(),
        p.inputTokens,
        p.outputTokens,
        p.cacheCreationTokens,
        p.cacheReadTokens,
        p.numTurns,
        p.apiRetryCount,
        id,
      );
    else advance.run(output.lastSeq, Date.now(), id);
  }
}
