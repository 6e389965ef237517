import type Database from 'better-sqlite3';
import type { LogDraft, StepDraft } from '../claude/messages';
import type { LogLineDto, StepDto } from '../contracts/executions';
import type { ExecutionProgress } from '../db/queries/executions';
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
 * before anything is stored or shown, and hands them to the shared writer.
 */
export class RunOutput {
  steps: StepDto[] = [];
  logs: LogLineDto[] = [];
  progress: ExecutionProgress | null = null;
  private seq: number;

  constructor(
    private readonly writer: OutputWriter,
    readonly executionId: number,
    lastSeq: number,
    private readonly masker: SecretMasker,
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
    const summary = this.masker.mask(draft.summary);
    const payload = this.masker.maskJson(draft.payload);
    this.steps.push({ ...draft, summary, payload, seq: ++this.seq, createdAt: Date.now() });
    this.writer.pending(this);
  }

  addLog(draft: LogDraft): void {
    this.logs.push({ ...draft, text: this.masker.mask(draft.text), seq: ++this.seq, createdAt: Date.now() });
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

  constructor(
    sqlite: Database.Database,
    private readonly masker: SecretMasker,
    private readonly onCommitted: (outputs: CommittedOutput[]) => void,
  ) {
    this.statements = prepare(sqlite);
    this.commit = sqlite.transaction((outputs: RunOutput[]) => {
      for (const output of outputs) this.write(output);
    });
  }

  open(executionId: number, lastSeq: number): RunOutput {
    return new RunOutput(this, executionId, lastSeq, this.masker);
  }

  /** Called by a RunOutput that has something to write. */
  pending(output: RunOutput): void {
    this.dirty.add(output);
    if (output.pendingRows >= MAX_BATCH_ROWS) this.flush();
    else this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Commits everything pending, in one transaction, then hands it on. Synchronous. */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.dirty.size === 0) return;
    const outputs = [...this.dirty];
    this.dirty.clear();
    this.commit(outputs);
    const committed = outputs.map((output): CommittedOutput => {
      const batch = {
        executionId: output.executionId,
        seq: output.lastSeq,
        steps: output.steps,
        logs: output.logs,
        progress: output.progress,
      };
      output.steps = [];
      output.logs = [];
      output.progress = null;
      return batch;
    });
    this.onCommitted(committed);
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
