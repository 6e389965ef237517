import { NOTIFICATIONS_PAGE_PATH, TEST_MESSAGE_TYPE, type TestResultDto } from '../contracts/notifications';
import { notFound } from '../core/errors';
import { execute } from '../db/plan';
import { getChannelRow } from '../db/queries/notificationChannels';
import { insertDelivery } from '../db/queries/notificationDeliveries';
import type { SecretBox } from '../db/secretBox';
import type { Store } from '../db/store';
import { openChannel } from './channels';
import { attemptSend, buildOutgoing } from './delivery';
import { newEventId } from './events';

export interface TestMessageOptions {
  baseUrl: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  now?: () => number;
}

/**
 * Sends a test message through the channel's real sender at once (enabled or not, outside the
 * outbox and its rate limit), records it in the delivery log, and says how it went. Not retried:
 * the person who clicked wants to know now.
 */
export async function sendTestMessage(
  store: Store,
  box: SecretBox,
  channelId: number,
  options: TestMessageOptions,
): Promise<TestResultDto> {
  const row = await execute(store, getChannelRow(store, channelId));
  if (!row) throw notFound('Notification channel');
  const channel = openChannel(row, box);
  const occurredAt = options.now?.() ?? Date.now();
  const event = {
    id: newEventId(),
    type: TEST_MESSAGE_TYPE,
    occurredAt,
    data: { channelId, channelName: row.name, path: NOTIFICATIONS_PAGE_PATH },
  };
  const { outcome, durationMs } = await attemptSend(channel, buildOutgoing(event, options.baseUrl), {
    fetch: options.fetch ?? fetch,
    timeoutMs: options.timeoutMs ?? 10_000,
  });
  const result: TestResultDto = {
    status: outcome.ok ? 'delivered' : 'failed',
    responseCode: outcome.responseCode,
    error: outcome.ok ? null : outcome.error,
    durationMs,
  };
  await execute(
    store,
    insertDelivery(store, {
      channelId,
      outboxId: null,
      eventId: event.id,
      eventType: event.type,
      attempt: 1,
      ...result,
      createdAt: options.now?.() ?? Date.now(),
    }),
  );
  return result;
}
