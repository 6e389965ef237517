import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import type { NotificationEventInput } from '../../src/lib/contracts/notifications';
import type { Db } from '../../src/lib/db';
import { notificationEvents, notificationOutbox } from '../../src/lib/db/schema';
import { type SecretBox, secretBoxFromKey } from '../../src/lib/db/secretBox';
import { createLogger, type Logger } from '../../src/lib/logger';
import { SecretMasker } from '../../src/lib/security/secrets';

export const BASE_URL = 'https://ops.example.com/claudeops';

export const newBox = (): SecretBox => secretBoxFromKey(crypto.randomBytes(32));

/** An injected clock that moves only when told to. */
export function fakeClock(start = Date.parse('2026-11-20T12:00:00.000Z')) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/**
 * A pino logger whose lines the test reads. Its masker knows no secrets, so anything secret in
 * the output would be the notification code's own doing.
 */
export function capturedLogger(): { logger: Logger; output: () => string } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return {
    logger: createLogger({ destination, masker: new SecretMasker([]), level: 'debug' }),
    output: () => lines.join(''),
  };
}

export function runFailed(
  over: { executionId?: number; agentId?: number; agentName?: string; errorMessage?: string } = {},
): NotificationEventInput {
  const executionId = over.executionId ?? 42;
  return {
    type: 'run.failed',
    data: {
      executionId,
      agentId: over.agentId ?? 1,
      agentName: over.agentName ?? 'nightly-report',
      trigger: 'schedule',
      scheduleId: 7,
      attempts: 3,
      durationMs: 83_000,
      costUsd: 0.1234,
      errorCode: 'overloaded',
      errorMessage: over.errorMessage ?? 'API overloaded (529) after 10 retries',
      path: `/executions/${executionId}`,
    },
  };
}

export function scheduleMissed(scheduleId = 3): NotificationEventInput {
  return {
    type: 'schedule.missed',
    data: {
      scheduleId,
      agentId: 1,
      agentName: 'nightly-report',
      scheduledFor: Date.parse('2026-11-20T03:00:00.000Z'),
      missedSlots: 2,
      path: `/schedules/${scheduleId}`,
    },
  };
}

/** The types of the events queued for a channel, oldest first. */
export function queuedTypes(db: Db, channelId: number): string[] {
  return db
    .select({ type: notificationEvents.type })
    .from(notificationOutbox)
    .innerJoin(notificationEvents, eq(notificationEvents.id, notificationOutbox.eventId))
    .where(eq(notificationOutbox.channelId, channelId))
    .orderBy(notificationOutbox.id)
    .all()
    .map((row) => row.type);
}
