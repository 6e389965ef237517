import {
  type Options,
  query,
  type SDKMessage,
  type SpawnedProcess,
  type SpawnOptions,
} from '@anthropic-ai/claude-agent-sdk';
import { findAgentProcesses, signalAll } from './agentProcesses';
import { type HelperChild, spawnViaHelper } from './spawnHelper';

/**
 * Why a run was stopped from outside. `approval_timeout`: nobody answered a tool call and the policy
 * fails the run; `storage`: the run's output could not be stored (a full disk, a failing one).
 */
/** Why a run's process is stopped; `handback`: the server stops and the run starts again on the next start. */
export type StopReason =
  | 'cancelled'
  | 'timeout'
  | 'shutdown'
  | 'handback'
  | 'budget'
  | 'approval_timeout'
  | 'storage';

/** Grace between SIGTERM and SIGKILL: the CLI exits on SIGTERM in well under a second. */
const KILL_GRACE_MS = 1_000;

export interface RunningAgentOptions {
  prompt: string;
  options: Options;
  /** The database path and execution id stamped on the process, to find its whole tree. */
  instance: string;
  executionId: number;
  onStderr?: (text: string) => void;
  /** The Claude Code process exists (its pid roots the run's process tree). */
  onSpawn?: (pid: number) => void;
}

/**
 * One agent process. It owns the child (spawned in its own process group) so that `cancel()`
 * can stop it at once: the SDK's own abort waits ~2 s before its first signal.
 */
export class RunningAgent {
  private readonly abortController = new AbortController();
  private child: HelperChild | undefined;
  private reason: StopReason | undefined;

  constructor(private readonly spec: RunningAgentOptions) {}

  /** Why the run was stopped, if it was. */
  get stopReason(): StopReason | undefined {
    return this.reason;
  }

  /** The SDK message stream. Throws when the process ends abnormally (read the result first). */
  messages(): AsyncIterable<SDKMessage> {
    return query({
      prompt: this.spec.prompt,
      options: {
        ...this.spec.options,
        abortController: this.abortController,
        spawnClaudeCodeProcess: (spawnOptions) => this.spawn(spawnOptions),
      },
    });
  }

  /** Stops the run and every process it started. Idempotent; never throws. */
  cancel(reason: StopReason): void {
    this.reason ??= reason;
    try {
      this.abortController.abort();
    } catch {
      // an abort listener threw; the kill below still happens
    }
    this.killTree('SIGTERM');
    setTimeout(() => this.killTree('SIGKILL'), KILL_GRACE_MS).unref();
  }

  private killTree(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid !== undefined) signalAll([-pid], signal);
    // Not started yet: the helper's child gets the signal the moment it is.
    else this.child?.kill(signal);
    // Children that left the group (a tool's own process group) still carry the env markers.
    signalAll(findAgentProcesses(this.spec.instance, this.spec.executionId), signal);
  }

  /** Started by the spawn helper (spawnHelper.ts), in its own process group, off this event loop. */
  private spawn(options: SpawnOptions): SpawnedProcess {
    const child = spawnViaHelper(options);
    this.child = child;
    child.once('spawn', (pid: number) => this.spec.onSpawn?.(pid));
    child.stderr.on('data', (chunk: Buffer) => this.spec.onStderr?.(chunk.toString()));
    if (this.reason) this.killTree('SIGTERM');
    return child;
  }
}
