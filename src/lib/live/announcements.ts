import { z } from 'zod';
import { EXECUTION_STATUSES } from '../contracts/executions';
import { NOTIFY_PAYLOAD_LIMIT_BYTES } from '../db/postgresListener';

// What goes over Postgres' NOTIFY for live output: positions, never lines (a payload stays under
// 8000 bytes, and the store is the truth: a reader reads the lines from it). docs/scaling.md.

/** Commits of runs' output and status changes: where each run's committed output now ends. */
export const OUTPUT_CHANNEL = 'claudeops_run_output';

/** One run's position after a commit. */
const positionSchema = z.object({
  /** The execution. */
  e: z.number().int().positive(),
  /** Its output is committed through this sequence number. */
  seq: z.number().int().nonnegative(),
  /** The highest step of this commit, when it stored any: a reader of lines alone can skip the steps' read. */
  step: z.number().int().positive().optional(),
  /** Set when the commit changed the run's status: to what. */
  status: z.enum(EXECUTION_STATUSES).optional(),
});
export type Position = z.infer<typeof positionSchema>;

const payloadSchema = z.object({ runs: z.array(positionSchema).min(1) });

/**
 * The positions of one commit as few payloads as fit under NOTIFY's limit: one for a commit of up
 * to ~185 runs (seven-digit ids), more past that (each a complete JSON document of whole positions).
 */
export function encodePositions(positions: readonly Position[]): string[] {
  const payloads: string[] = [];
  let chunk: string[] = [];
  let bytes = 0;
  const close = () => {
    if (chunk.length > 0) payloads.push(`{"runs":[${chunk.join(',')}]}`);
    chunk = [];
    bytes = 0;
  };
  const envelope = Buffer.byteLength('{"runs":[]}');
  for (const position of positions) {
    const json = JSON.stringify(position);
    const size = Buffer.byteLength(json) + 1;
    if (chunk.length > 0 && envelope + bytes + size > NOTIFY_PAYLOAD_LIMIT_BYTES) close();
    chunk.push(json);
    bytes += size;
  }
  close();
  return payloads;
}

/** The positions a payload announces; throws on anything else (the caller logs and skips it). */
export function decodePositions(payload: string): Position[] {
  return payloadSchema.parse(JSON.parse(payload)).runs;
}
