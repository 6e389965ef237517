import type { LogDraft, StepDraft } from '../claude/messages';
import { LOG_TRUNCATED_MARKER, type LogLineDto, type StepDto } from '../contracts/executions';
import type { ExecutionProgress } from '../db/queries/executions';
import type { HeldElsewhere, OutputBatch, OutputStore } from '../db/queries/outputStore';
import { formatBytes } from '../presentation/format';
import type { SecretMasker } from '../security/secrets';

/** Rows one transaction may take; a flood is cut into transactions of this size. */
export const MAX_BATCH_ROWS = 1_000;

/** What one commit stored for one execution, handed on only after the commit. */
export type CommittedOutput = OutputBatch;

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

  /** What goes into the next commit; the output starts empty again. */
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

  private drop(): void {
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
 *
 * The store is the dialect's (db/queries/outputStore.ts). SQLite's commits synchronously, so a
 * flush is committed when it returns, as the engine needs. Postgres' commits asynchronously: one
 * flush at a time, each after the one before, so an execution's rows and `last_seq` land in order.
 */
export class OutputWriter {
  private readonly dirty = new Set<RunOutput>();
  private scheduled: NodeJS.Immediate | undefined;
  /** The asynchronous commits not settled yet (Postgres), in order. */
  private inFlight: Promise<void> | undefined;

  /**
   * `onFailed`: a commit failed (its rows are not stored, and are dropped): the writer never
   * throws, since it mostly runs on its own turn of the event loop, where a throw would be uncaught.
   * `onHeldElsewhere`: a commit left out these runs' rows, another worker holding the runs.
   */
  constructor(
    private readonly store: OutputStore,
    private readonly masker: SecretMasker,
    private readonly onCommitted: (outputs: CommittedOutput[]) => void,
    private readonly onFailed: (error: unknown, executionIds: number[]) => void,
    private readonly onHeldElsewhere: (executionIds: HeldElsewhere) => void = () => {},
  ) {}

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

  /**
   * Commits everything pending, in one transaction, then hands it on. Synchronous on SQLite; never
   * throws.
   */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.dirty.size === 0) return;
    const batches = [...this.dirty].map((output) => output.take());
    this.dirty.clear();
    const previous = this.inFlight;
    const written = previous ? previous.then(() => this.commit(batches)) : this.commit(batches);
    if (!written) return;
    const tracked: Promise<void> = written.finally(() => {
      if (this.inFlight === tracked) this.inFlight = undefined;
    });
    this.inFlight = tracked;
  }

  /** The flushes handed in so far have settled (later ones may still be under way). */
  async flushed(): Promise<void> {
    await this.inFlight;
  }

  /** Every flush so far has settled (committed and handed on, or reported failed). */
  async settled(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  /** Writes the batches and hands them on, or reports them failed; a promise while the commit is asynchronous. */
  private commit(batches: CommittedOutput[]): Promise<void> | undefined {
    const failed = (error: unknown) =>
      this.onFailed(
        error,
        batches.map((batch) => batch.executionId),
      );
    let written: HeldElsewhere | Promise<HeldElsewhere>;
    try {
      written = this.store.write(batches, Date.now());
    } catch (error) {
      failed(error);
      return undefined;
    }
    if (!(written instanceof Promise)) {
      this.handOn(batches, written);
      return undefined;
    }
    return written.then((heldElsewhere) => this.handOn(batches, heldElsewhere), failed);
  }

  /** Hands on what a commit stored, and names the runs it left out. */
  private handOn(batches: CommittedOutput[], heldElsewhere: HeldElsewhere): void {
    if (heldElsewhere.length === 0) {
      this.onCommitted(batches);
      return;
    }
    this.onHeldElsewhere(heldElsewhere);
    this.onCommitted(batches.filter((batch) => !heldElsewhere.includes(batch.executionId)));
  }
}
