import { z } from 'zod';
import { approvalCountsSchema, approvalSchema } from '../contracts/approvals';
import {
  executionLiveSchema,
  executionSummarySchema,
  logLineSchema,
  stepSchema,
} from '../contracts/executions';
import { hostSampleSchema } from '../contracts/metrics';
import { executionResourcesSchema } from '../contracts/runResources';
import { scheduleFiringSchema } from '../contracts/schedules';
import { storageStatusSchema } from '../contracts/storage';
import { circuitBreakerSchema } from '../contracts/system';
import { workflowRunSchema } from '../contracts/workflows';

/**
 * The /ws protocol, imported by the server and the browser. Each side zod-parses what it
 * receives.
 */

export const PROTOCOL_VERSION = 1;
export const MAX_CLIENT_FRAME_BYTES = 16 * 1024;

const executionId = z.number().int().positive();

/**
 * Topics without a key, each fed by one kind of frame: `metrics` (a host sample every few seconds),
 * `workflowRuns` (every change of a workflow run), `schedules` (every firing), `approvals` (every
 * tool call asked for, answered, expired or dropped, with the count still pending), `storage` (the
 * data directory's state, for the banner).
 */
export const BROADCAST_TOPICS = ['metrics', 'workflowRuns', 'schedules', 'approvals', 'storage'] as const;
export type BroadcastTopic = (typeof BROADCAST_TOPICS)[number];

export const clientFrameSchema = z.union([
  z.strictObject({
    type: z.literal('subscribe'),
    topic: z.literal('execution'),
    executionId,
    /** Replay everything after this sequence number before going live. */
    afterSeq: z.number().int().min(0).optional(),
  }),
  z.strictObject({ type: z.literal('subscribe'), topic: z.literal('executions') }),
  z.strictObject({ type: z.literal('unsubscribe'), topic: z.literal('execution'), executionId }),
  z.strictObject({ type: z.literal('unsubscribe'), topic: z.literal('executions') }),
  z.strictObject({ type: z.literal('subscribe'), topic: z.enum(BROADCAST_TOPICS) }),
  z.strictObject({ type: z.literal('unsubscribe'), topic: z.enum(BROADCAST_TOPICS) }),
  z.strictObject({ type: z.literal('ping'), id: z.number().int().optional() }),
  /** Stop a queued or running execution (same as POST /api/executions/[id]/cancel). */
  z.strictObject({ type: z.literal('cancel'), executionId }),
]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;

export const ERROR_CODES = [
  'bad_frame',
  'not_found',
  'not_active',
  'conflict',
  'budget_exhausted',
  'unavailable',
  'frame_too_large',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** What a subscription's confirmation carries, by topic. */
const subscribedFrameSchema = z.discriminatedUnion('topic', [
  z.object({ type: z.literal('subscribed'), topic: z.enum(['metrics', 'schedules']) }),
  z.object({
    type: z.literal('subscribed'),
    topic: z.literal('storage'),
    /** The storage state as it is now. */
    storage: storageStatusSchema,
  }),
  z.object({
    type: z.literal('subscribed'),
    topic: z.literal('workflowRuns'),
    /** Every unfinished run and the newest ones as they are now, so a (re)subscribing page misses nothing. */
    runs: z.array(workflowRunSchema),
  }),
  z.object({
    type: z.literal('subscribed'),
    topic: z.literal('approvals'),
    /** Every pending approval, oldest first, as it is now. */
    items: z.array(approvalSchema),
    counts: approvalCountsSchema,
  }),
  z.object({
    type: z.literal('subscribed'),
    topic: z.literal('execution'),
    executionId: z.number(),
    lastSeq: z.number(),
  }),
  z.object({
    type: z.literal('subscribed'),
    topic: z.literal('executions'),
    /** Every active run and the newest ones as they are now, so a (re)subscribing list misses nothing. */
    items: z.array(executionSummarySchema),
  }),
]);

/**
 * Server → client frames. `seq` is the highest per-execution sequence number the frame reflects.
 * Discriminated by `type` (then `topic`): the browser parses every frame, and a plain union tried
 * each shape in turn (6× the time for a log line's frame).
 */
export const serverFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), protocolVersion: z.number() }),
  subscribedFrameSchema,
  z.object({
    type: z.literal('execution.events'),
    executionId: z.number(),
    seq: z.number(),
    steps: z.array(stepSchema),
    logs: z.array(logLineSchema),
  }),
  z.object({
    type: z.literal('execution.updated'),
    executionId: z.number(),
    seq: z.number(),
    execution: executionLiveSchema,
  }),
  z.object({
    type: z.literal('error'),
    code: z.enum(ERROR_CODES),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
  z.object({ type: z.literal('pong'), id: z.number().optional() }),
  z.object({ type: z.literal('cancel.accepted'), executionId: z.number() }),
  /** The circuit breaker's state, to `executions` subscribers: on subscribe and on every change. */
  z.object({ type: z.literal('circuit.updated'), circuit: circuitBreakerSchema }),
  /**
   * A run's own resources, to its subscribers: on subscribe, what is stored so far; then each
   * sampler tick's new sample. Samples from the first one's time on replace what the page had.
   */
  z.object({
    type: z.literal('execution.resources'),
    executionId: z.number(),
    resources: executionResourcesSchema,
  }),
  z.object({ type: z.literal('metrics.sample'), sample: hostSampleSchema }),
  z.object({ type: z.literal('workflowRun.updated'), run: workflowRunSchema }),
  z.object({ type: z.literal('schedule.fired'), firing: scheduleFiringSchema }),
  /** An approval changed (asked for, answered, expired, dropped), and the pending count after it. */
  z.object({ type: z.literal('approval.updated'), approval: approvalSchema, counts: approvalCountsSchema }),
  z.object({ type: z.literal('storage.updated'), storage: storageStatusSchema }),
]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;

/** Parses a frame from the server; null for anything that is not one (logged by the caller). */
export function parseServerFrame(raw: string): ServerFrame | null {
  try {
    const parsed = serverFrameSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
