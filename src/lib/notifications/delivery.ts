import { notificationMessageSchema } from '../contracts/notifications';
import type { NotificationEventRow } from '../db/schema';
import { SecretMasker } from '../security/secrets';
import { type OpenChannel, secretValues } from './channels';
import { type ApprovalLinkMaker, renderMessage } from './render';
import { send } from './senders';
import type { Outgoing, SendContext, SendOutcome } from './senders/types';

/** A stored event (or summary, or test message) as it goes out: the webhook body and the words. */
export function buildOutgoing(
  event: Pick<NotificationEventRow, 'id' | 'type' | 'occurredAt' | 'data'>,
  baseUrl: string,
  links?: ApprovalLinkMaker,
): Outgoing {
  const message = notificationMessageSchema.parse({ type: event.type, data: event.data });
  const rendered = renderMessage(message, baseUrl, links);
  const actions = rendered.actions.length > 0 ? { actions: rendered.actions } : {};
  return {
    body: { ...message, id: event.id, occurredAt: event.occurredAt, url: rendered.url, ...actions },
    rendered,
  };
}

export interface Attempt {
  outcome: SendOutcome;
  durationMs: number;
}

/**
 * One attempt through the channel's sender, timed, with the channel's secrets masked out of the
 * error text before anyone stores or logs it (a Slack URL can surface in a network error).
 */
export async function attemptSend(channel: OpenChannel, out: Outgoing, ctx: SendContext): Promise<Attempt> {
  const started = performance.now();
  const outcome = await send(channel.config, out, ctx);
  const durationMs = Math.round(performance.now() - started);
  if (outcome.ok) return { outcome, durationMs };
  const masker = new SecretMasker(secretValues(channel.config));
  return { outcome: { ...outcome, error: masker.mask(outcome.error) }, durationMs };
}

/** An attempt that could not even be made (unreadable event, secrets that no longer open): never retried. */
export const unsendable = (error: string): Attempt => ({
  outcome: { ok: false, responseCode: null, error, permanent: true, retryAfterMs: null },
  durationMs: 0,
});
