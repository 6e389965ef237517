// The parent's side of tests/helpers/liveWriterProcess.ts: forks it, sends it work, waits for its
// messages (tests/postgres/liveAcross.test.ts, bench/liveAcross.ts).
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import type { FromWriter, ToWriter } from './liveWriterProcess';

/** A worker process streaming runs' output into the Postgres database at `url`, as worker `workerId`. */
export async function forkLiveWriter(url: string, workerId: string): Promise<WriterProcess> {
  const child = fork(path.join(import.meta.dirname, 'liveWriterProcess.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, LIVE_URL: url, LIVE_WORKER_ID: workerId },
  });
  const writer = new WriterProcess(child);
  await writer.next((m): m is FromWriter => m.type === 'ready');
  return writer;
}

/** The worker process, and every message it sent. */
export class WriterProcess {
  readonly messages: FromWriter[] = [];
  private readonly waiters = new Set<() => void>();
  constructor(readonly child: ChildProcess) {
    child.on('message', (message: FromWriter) => {
      this.messages.push(message);
      if (message.type === 'failed') console.error('writer process:', message.message);
      for (const check of this.waiters) check();
    });
  }

  send(message: ToWriter): void {
    this.child.send(message);
  }

  /** The first message (sent from now on, or already) that `match` accepts. */
  next<T extends FromWriter>(match: (message: FromWriter) => message is T, from = this.messages.length) {
    return new Promise<T>((resolve) => {
      const check = () => {
        const found = this.messages.slice(from).find(match);
        if (!found) return;
        this.waiters.delete(check);
        resolve(found);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Streams `lines` lines of `label` into the run after `fromSeq`; resolves with the run's last seq. */
  async stream(executionId: number, fromSeq: number, lines: number, label: string): Promise<number> {
    const from = this.messages.length;
    this.send({ type: 'stream', executionId, fromSeq, lines, label });
    const done = await this.next(
      (m): m is Extract<FromWriter, { type: 'streamed' }> =>
        m.type === 'streamed' && m.executionId === executionId,
      from,
    );
    return done.seq;
  }

  /** Asks it to close its connections and exit; resolves when it has. */
  async exit(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.send({ type: 'exit' });
    await exited;
  }
}
