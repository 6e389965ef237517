import { z } from 'zod';
import { hostNameSchema, type MetricRange } from './metrics';
import { singleLine } from './text';

/** The longest label a worker may carry or an agent may require. */
export const LABEL_MAX_CHARS = 64;

/** A worker label (`gpu`, `repo-a`): plain text without spaces or commas, matched exactly. */
export const workerLabelSchema = singleLine(
  z
    .string()
    .min(1, 'A label is not empty')
    .max(LABEL_MAX_CHARS, `At most ${LABEL_MAX_CHARS} characters`)
    .regex(/^[^\s,]*$/u, 'No spaces or commas in a label'),
);

/** Labels an agent requires of the worker that runs it: unique, at most 20. */
export const requiredLabelsSchema = z
  .array(workerLabelSchema)
  .max(20, 'At most 20 labels')
  .refine((labels) => new Set(labels).size === labels.length, 'A label is listed twice');

/**
 * A worker host's figures at its worker's last beat (src/lib/metrics/hostVitals.ts): what the
 * Workers page shows of each host. Null figures could not be read this time.
 */
export const hostVitalsSchema = z.object({
  /** Share of all its cores' time busy since the beat before (0–1); null at the first beat. */
  cpuBusy: z.number().min(0).max(1).nullable(),
  cores: z.number().int(),
  /** The 1-minute load average. */
  load1: z.number(),
  /** In use: total less what the kernel says is available (MemAvailable). */
  memoryUsedBytes: z.number(),
  memoryTotalBytes: z.number(),
  /** The filesystem of its data directory, as df shows it. */
  diskAvailableBytes: z.number().nullable(),
  diskSizeBytes: z.number().nullable(),
  /** Blocks in use, root's reserved ones not counted: df's Use% is used / (used + available). */
  diskUsedBytes: z.number().nullable().default(null),
});
export type HostVitals = z.infer<typeof hostVitalsSchema>;

/** A worker's id: its host, its process and a random tail (8 hex digits), so one host's restarts stay apart. */
export const workerIdOf = (host: string, pid: number, tail: string) => `${host}-${pid}-${tail}`;

/** The host and process of a worker id made by workerIdOf (host names may hold dashes: read from the end). */
export function workerIdParts(workerId: string): { host: string; pid: number } | null {
  const match = /^(.+)-(\d+)-[0-9a-f]{8}$/.exec(workerId);
  return match?.[1] && match[2] ? { host: match[1], pid: Number(match[2]) } : null;
}

/** One worker: a process that runs agents (a worker host's, or a web process's own), one per start. */
export const workerDtoSchema = z.object({
  /** Stable for the life of the process: host, pid and a random part. */
  id: z.string(),
  host: z.string(),
  labels: z.array(z.string()),
  /** The ClaudeOps version it runs (package.json). */
  version: z.string(),
  startedAt: z.number(),
  lastBeatAt: z.number(),
  /**
   * When a stop signal came: since then it starts no run, and lets its running ones finish (or
   * hands them back at the drain's deadline). Null while it takes runs; kept once it stopped.
   */
  drainingSince: z.number().nullable(),
  stoppedAt: z.number().nullable(),
  /** Beat within the last 30 s and not stopped. */
  alive: z.boolean(),
  /** Its runs in status `running` now. */
  runningRuns: z.number().int(),
  /** Its host's figures at its last beat; null before the first, or where /proc cannot be read. */
  vitals: hostVitalsSchema.nullable(),
});
export type WorkerDto = z.infer<typeof workerDtoSchema>;

/** In words: beating, draining to stop, stopped cleanly, or gone quiet without saying so (lost). */
export type WorkerState = 'alive' | 'draining' | 'stopped' | 'no beat';

export function workerStateOf(worker: Pick<WorkerDto, 'alive' | 'drainingSince' | 'stoppedAt'>): WorkerState {
  if (worker.alive) return worker.drainingSince === null ? 'alive' : 'draining';
  return worker.stoppedAt === null ? 'no beat' : 'stopped';
}

export const workerListResponseSchema = z.object({ items: z.array(workerDtoSchema) });

/** A worker that has not beaten for this long is taken for dead. */
export const WORKER_ALIVE_WINDOW_MS = 30_000;

/** Whether a worker with `labels` may run an agent that requires `required`: it has every one. */
export function hasLabels(labels: readonly string[], required: readonly string[]): boolean {
  return required.every((label) => labels.includes(label));
}

/** Why a queued run does not start on a worker with `labels`, or null when its labels do not hold it. */
export function labelWaitReason(required: readonly string[], labels: readonly string[]): string | null {
  return hasLabels(labels, required) ? null : `waiting for a worker with labels ${required.join(', ')}`;
}

/** Each host's figures are kept this long (a row per beat), for the chart and the health reporter. */
export const WORKER_VITALS_KEPT_MS = 86_400_000;

/** The spans a host's load is charted over, back from now. */
export const HOST_LOAD_RANGES = ['1h', '24h'] as const satisfies readonly MetricRange[];
export type HostLoadRange = (typeof HOST_LOAD_RANGES)[number];
/** A range is drawn in this many buckets at most: 5 s (a beat) over an hour, 2 min over a day. */
export const HOST_LOAD_POINTS = 720;

export const hostLoadQuerySchema = z.strictObject({
  /** A worker's `host`, as `GET /api/workers` lists it. */
  host: hostNameSchema,
  range: z.enum(HOST_LOAD_RANGES).default('1h'),
});
export type HostLoadQuery = z.infer<typeof hostLoadQuerySchema>;

/**
 * A host's load over a range, one bucket per point (columns, as a chart draws them): averages of
 * the beats of every worker on the host in each bucket. Buckets without a beat are left out.
 */
export const hostLoadSchema = z.object({
  host: z.string(),
  range: z.enum(HOST_LOAD_RANGES),
  from: z.number(),
  to: z.number(),
  stepMs: z.number(),
  /** Each bucket's start, epoch ms. */
  t: z.array(z.number()),
  /** Share of its cores' time busy (0–1); null where no beat of the bucket had one. */
  cpuBusy: z.array(z.number().nullable()),
  /** Share of its memory in use (0–1). */
  memoryUsed: z.array(z.number().nullable()),
  load1: z.array(z.number()),
  /** Share of its data directory's filesystem in use, as df's Use% (0–1); null where it could not be read. */
  diskUsed: z.array(z.number().nullable()),
});
export type HostLoadDto = z.infer<typeof hostLoadSchema>;
