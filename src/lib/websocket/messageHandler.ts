import type { ApprovalCounts, ApprovalDto } from '../contracts/approvals';
import { type ErrorIssue, issuesFromZod } from '../contracts/errors';
import type { ExecutionSummary } from '../contracts/executions';
import type { StorageStatusDto } from '../contracts/storage';
import type { CircuitBreakerDto } from '../contracts/system';
import type { WorkflowRunDto } from '../contracts/workflows';
import { type DomainErrorKind, isDomainError } from '../core/errors';
import type { Logger } from '../core/logger';
import { type Broadcaster, type ClientSession, send } from './broadcaster';
import {
  type BroadcastTopic,
  type ClientFrame,
  clientFrameSchema,
  type ErrorCode,
  type ServerFrame,
} from './protocol';

/** What a client may ask the server to do beyond subscribing. */
export interface ClientCommands {
  /** False when the execution is not queued or running. */
  cancelExecution(executionId: number): Promise<boolean>;
  circuitState(): CircuitBreakerDto;
  /** Every active run and the newest ones, for a list that (re)subscribes. */
  recentExecutions(): Promise<ExecutionSummary[]>;
  /** The same for workflow runs, whole (a run page reads its steps from it). */
  recentWorkflowRuns(): Promise<WorkflowRunDto[]>;
  /** Every approval still pending, and the counts, for an inbox that (re)subscribes. */
  pendingApprovals(): Promise<{ items: ApprovalDto[]; counts: ApprovalCounts }>;
  /** The data directory's storage as it is now. */
  storageStatus(): StorageStatusDto;
}

/** The one place where domain errors become error frames. */
const FRAME_CODE_BY_KIND: Record<DomainErrorKind, ErrorCode> = {
  not_found: 'not_found',
  conflict: 'conflict',
  invalid_input: 'bad_frame',
  budget_exhausted: 'budget_exhausted',
  unavailable: 'unavailable',
  insufficient_storage: 'unavailable',
};

/**
 * Parses one client frame and acts on it; anything malformed gets an error frame, never a throw.
 * The caller handles one session's frames one after another (a subscribe is answered before the
 * unsubscribe that follows it is read).
 */
export async function handleClientMessage(
  broadcaster: Broadcaster,
  commands: ClientCommands,
  session: ClientSession,
  raw: string,
  logger: Logger,
): Promise<void> {
  try {
    const frame = parseClientFrame(raw);
    if ('error' in frame) send(session.socket, { type: 'error', code: 'bad_frame', ...frame.error });
    else await dispatch(broadcaster, commands, session, frame.ok);
  } catch (error) {
    if (isDomainError(error)) {
      send(session.socket, { type: 'error', code: FRAME_CODE_BY_KIND[error.kind], message: error.message });
      return;
    }
    logger.error({ err: error }, 'websocket frame failed');
    send(session.socket, { type: 'error', code: 'internal', message: 'Internal server error' });
  }
}

/** What a broadcast topic's subscriber is sent first: the state as it is now, where the topic has one. */
async function subscribedFrame(commands: ClientCommands, topic: BroadcastTopic): Promise<ServerFrame> {
  switch (topic) {
    case 'workflowRuns':
      return { type: 'subscribed', topic, runs: await commands.recentWorkflowRuns() };
    case 'approvals':
      return { type: 'subscribed', topic, ...(await commands.pendingApprovals()) };
    case 'storage':
      return { type: 'subscribed', topic, storage: commands.storageStatus() };
    default:
      return { type: 'subscribed', topic };
  }
}

function parseClientFrame(
  raw: string,
): { ok: ClientFrame } | { error: { message: string; issues?: ErrorIssue[] } } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { error: { message: 'Frame is not valid JSON' } };
  }
  const parsed = clientFrameSchema.safeParse(value);
  if (parsed.success) return { ok: parsed.data };
  return { error: { message: 'Frame does not match the protocol', issues: issuesFromZod(parsed.error) } };
}

async function dispatch(
  broadcaster: Broadcaster,
  commands: ClientCommands,
  session: ClientSession,
  frame: ClientFrame,
): Promise<void> {
  switch (frame.type) {
    case 'subscribe':
      if (frame.topic === 'execution') {
        if (!(await broadcaster.subscribeExecution(session, frame.executionId, frame.afterSeq))) {
          send(session.socket, {
            type: 'error',
            code: 'not_found',
            message: `Execution ${frame.executionId} not found`,
          });
        }
      } else if (frame.topic === 'executions') {
        await broadcaster.subscribeList(session, 'executions', async () => [
          { type: 'subscribed', topic: 'executions', items: await commands.recentExecutions() },
          { type: 'circuit.updated', circuit: commands.circuitState() },
        ]);
      } else {
        const { topic } = frame;
        await broadcaster.subscribeList(session, topic, async () => [await subscribedFrame(commands, topic)]);
      }
      return;
    case 'unsubscribe':
      if (frame.topic === 'execution') broadcaster.unsubscribeExecution(session, frame.executionId);
      else if (frame.topic === 'executions') session.listAll = false;
      else session.topics.delete(frame.topic);
      return;
    case 'ping':
      send(session.socket, { type: 'pong', ...(frame.id === undefined ? {} : { id: frame.id }) });
      return;
    case 'cancel':
      if (await commands.cancelExecution(frame.executionId)) {
        send(session.socket, { type: 'cancel.accepted', executionId: frame.executionId });
      } else {
        send(session.socket, {
          type: 'error',
          code: 'not_active',
          message: `Execution ${frame.executionId} is not queued or running`,
        });
      }
      return;
  }
}
