import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import {
  type CreateChannelInput,
  createChannelSchema,
  NOTIFICATION_EVENT_TYPES,
  type NotificationEventInput,
} from '../../src/lib/contracts/notifications';
import { createLogger, type Logger } from '../../src/lib/core/logger';
import type { Db } from '../../src/lib/db';
import { notificationEvents, notificationOutbox } from '../../src/lib/db/schema';
import { type SecretBox, secretBoxFromKey } from '../../src/lib/db/secretBox';
import { SecretMasker } from '../../src/lib/security/secrets';

export const BASE_URL = 'https://ops.example.com/claudeops';

/** A Slack channel that takes every event (nothing is ever sent to its URL). */
export const everythingChannel = (): CreateChannelInput =>
  createChannelSchema.parse({
    type: 'slack',
    name: 'everything',
    url: 'https://hooks.slack.invalid/services/T/B/x',
    events: [...NOTIFICATION_EVENT_TYPES],
  });

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

const T = Date.parse('2026-11-20T12:00:00.000Z');
const run = {
  executionId: 42,
  agentId: 1,
  agentName: 'nightly-report',
  trigger: 'schedule' as const,
  scheduleId: 7,
  attempts: 1,
  durationMs: 600_000,
  costUsd: 0.5,
  errorCode: null,
  errorMessage: null,
  path: '/executions/42',
};
const health = {
  agentId: 2,
  agentName: 'System Health Reporter',
  executionId: 43,
  summary: 'Disk / is filling up.',
  findings: [{ area: 'disk', severity: 'warning' as const, message: '/ is 91% full' }],
  path: '/executions/43',
};

/** One event of every type in the catalogue. */
/** A Bash call of run #42 waiting for a person. */
export const approval = {
  approvalId: 5,
  executionId: 42,
  agentId: 3,
  agentName: 'nightly-report',
  toolName: 'Bash',
  input: 'touch /tmp/report.lock',
  inputHash: 'a'.repeat(64),
  reason: null,
  requestedAt: T,
  expiresAt: T + 3_600_000,
  onTimeout: 'deny' as const,
  path: '/executions/42',
};

export const SAMPLE_EVENTS: NotificationEventInput[] = [
  { type: 'run.failed', data: { ...run, errorCode: 'rate_limit', errorMessage: 'Rate limited (429)' } },
  { type: 'run.timeout', data: { ...run, timeoutSeconds: 600 } },
  { type: 'run.budget_exceeded', data: { ...run, budget: 'per_run', limitUsd: 0.5, spentUsd: 0.51 } },
  { type: 'run.interrupted', data: { ...run, reason: 'The server stopped during the run' } },
  {
    type: 'budget.warning',
    data: {
      scope: 'global',
      month: '2026-11',
      spentUsd: 80,
      budgetUsd: 100,
      state: 'firing',
      path: '/costs',
    },
  },
  {
    type: 'budget.exhausted',
    data: {
      scope: 'agent',
      agentId: 1,
      agentName: 'nightly-report',
      month: '2026-11',
      spentUsd: 20,
      budgetUsd: 20,
      state: 'firing',
      path: '/costs',
    },
  },
  {
    type: 'schedule.refused',
    data: {
      scheduleId: 7,
      agentId: 1,
      agentName: 'nightly-report',
      scheduledFor: T,
      outcome: 'refused_budget',
      reason: 'The monthly budget is exhausted',
      path: '/schedules/7',
    },
  },
  {
    type: 'schedule.missed',
    data: {
      scheduleId: 7,
      agentId: 1,
      agentName: 'nightly-report',
      scheduledFor: T,
      missedSlots: 3,
      path: '/schedules/7',
    },
  },
  { type: 'health.warning', data: { ...health, status: 'warning', state: 'firing' } },
  { type: 'health.critical', data: { ...health, status: 'critical', state: 'firing' } },
  {
    type: 'circuit.opened',
    data: { consecutiveFailures: 5, threshold: 5, cooldownSeconds: 60, lastFailure: 'overloaded', path: '/' },
  },
  { type: 'circuit.closed', data: { openedAt: T - 120_000, path: '/' } },
  {
    type: 'host.disk',
    data: {
      host: 'gpu-box',
      mount: '/',
      usedPercent: 91.24,
      thresholdPercent: 90,
      since: T,
      state: 'firing',
      path: '/system?host=gpu-box',
    },
  },
  {
    // As stored before hosts were named: no host.
    type: 'host.memory',
    data: { availablePercent: 12.5, thresholdPercent: 10, since: T, state: 'resolved', path: '/system' },
  },
  {
    type: 'host.load',
    data: {
      host: 'web-1',
      load1: 4.5,
      cores: 2,
      thresholdLoad: 4,
      sustainedMinutes: 10,
      since: T,
      state: 'firing',
      path: '/system?host=web-1',
    },
  },
  { type: 'approval.requested', data: approval },
  { type: 'approval.expired', data: approval },
  {
    type: 'storage.low',
    data: {
      freeBytes: 512 * 1024 * 1024,
      floorBytes: 1024 * 1024 * 1024,
      totalBytes: 20 * 1024 * 1024 * 1024,
      dataDir: '/var/lib/claudeops',
      since: T,
      state: 'firing',
      path: '/system',
    },
  },
  {
    type: 'storage.failing',
    data: {
      code: 'SQLITE_FULL',
      reason: 'The file system holding /var/lib/claudeops is full (SQLITE_FULL).',
      dataDir: '/var/lib/claudeops',
      since: T,
      state: 'firing',
      path: '/system',
    },
  },
];
