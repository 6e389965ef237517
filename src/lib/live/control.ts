import { z } from 'zod';
import { type EndedStatus, isEndedStatus } from '../contracts/executions';
import { execute, type Plan } from '../db/plan';
import { notify } from '../db/postgresListener';
import { getRunPosition } from '../db/queries/runPositions';
import type { Store } from '../db/store';
import type { AnnouncementSource } from './runFeed';

// Stops across processes: whoever decides (a person's cancel on any web node, a budget reached)
// names the run and the worker that runs it on a control channel; that worker's listener hands it
// to its engine. The acknowledgement is the run's status change, announced like any other.

/** Stop requests for runs, addressed to the worker that runs each. */
export const CONTROL_CHANNEL = 'claudeops_run_control';

/** Why a run must stop: a person cancelled it, or a budget it counts against was reached. */
export const STOP_REASONS = ['cancelled', 'budget'] as const;

const stopRequestSchema = z.object({
  type: z.literal('stop'),
  executionId: z.number().int().positive(),
  /** The worker that runs it (`executions.worker_id`): the others ignore the request. */
  workerId: z.string().min(1).max(200),
  reason: z.enum(STOP_REASONS),
  /** What the run's ending says (a budget's figures); short, so the payload stays small. */
  message: z.string().max(1_000).nullable(),
});
export type StopRequest = z.infer<typeof stopRequestSchema>;

/**
 * A person answered a tool call whose process waits on another worker: that worker hands the
 * stored answer to the waiting call, which goes on at once (instead of when its hold ends).
 */
const answerNoticeSchema = z.object({
  type: z.literal('answered'),
  executionId: z.number().int().positive(),
  approvalId: z.number().int().positive(),
  /** The worker whose process waits for it. */
  workerId: z.string().min(1).max(200),
});
export type AnswerNotice = z.infer<typeof answerNoticeSchema>;

const controlMessageSchema = z.discriminatedUnion('type', [stopRequestSchema, answerNoticeSchema]);
export type ControlMessage = z.infer<typeof controlMessageSchema>;

/** Tells the worker holding a call's process that it was answered (at the commit of `store`'s transaction). */
export function* sendAnswerNotice(store: Store, notice: Omit<AnswerNotice, 'type'>): Plan<void> {
  yield* notify(
    store,
    CONTROL_CHANNEL,
    JSON.stringify(answerNoticeSchema.parse({ type: 'answered', ...notice })),
  );
}

/** Sends a stop request (now, or at the commit of the transaction `store` is). */
export function* sendStop(store: Store, request: StopRequest): Plan<void> {
  yield* notify(store, CONTROL_CHANNEL, JSON.stringify(stopRequestSchema.parse(request)));
}

/** A control payload as a stop request or an answer notice; throws on anything else (the caller logs and skips it). */
export function decodeControl(payload: string): ControlMessage {
  return controlMessageSchema.parse(JSON.parse(payload));
}

export type StopOutcome = { acknowledged: true; status: EndedStatus } | { acknowledged: false };

export interface StopDelivery {
  /** Sent again this often until acknowledged: a request sent while the worker reconnects is lost. */
  resendMs?: number;
  /** How long to wait for the acknowledgement; the issue asks for 3 s. */
  waitMs?: number;
  /** A re-check or a re-send failed (the next one, or the deadline, covers it): for the log. */
  onError: (error: unknown) => void;
}

/**
 * Asks the run's worker to stop it, and waits until its status says it ended (the worker's
 * acknowledgement, announced on the output channel), re-sending meanwhile; a run already ended is
 * acknowledged at once. Not acknowledged in time: the worker is gone or unreachable (its lease
 * ends the run).
 */
export async function requestStop(
  store: Store,
  source: AnnouncementSource,
  request: Omit<StopRequest, 'type'>,
  { resendMs = 1_000, waitMs = 3_000, onError }: StopDelivery,
): Promise<StopOutcome> {
  let settle: (outcome: StopOutcome) => void = () => {};
  const outcome = new Promise<StopOutcome>((resolve) => {
    settle = resolve;
  });
  /** Whether the run has ended (and the outcome is settled). */
  const check = async () => {
    const position = await execute(store, getRunPosition(store, request.executionId));
    if (!position || !isEndedStatus(position.status)) return false;
    settle({ acknowledged: true, status: position.status });
    return true;
  };
  const recheck = () => void check().catch(onError);
  const unsubscribe = source.subscribe(request.executionId, {
    onAnnouncement: ({ status }) => {
      if (status !== undefined) recheck();
    },
    onResync: recheck,
  });
  const send = () => execute(store, sendStop(store, { type: 'stop', ...request }));
  const resend = setInterval(() => void send().catch(onError), resendMs);
  const deadline = setTimeout(() => settle({ acknowledged: false }), waitMs);
  try {
    if (!(await check())) await send();
    return await outcome;
  } finally {
    clearInterval(resend);
    clearTimeout(deadline);
    unsubscribe();
  }
}
