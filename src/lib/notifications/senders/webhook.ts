import { Webhook } from 'standardwebhooks';
import { post } from './http';
import type { Outgoing, SendContext, SendOutcome } from './types';

/**
 * A generic webhook, signed per Standard Webhooks: `webhook-id` (the event's id, the same on every
 * retry), `webhook-timestamp` (seconds, the wall clock at sending, which receivers compare with
 * theirs) and `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`.
 */
export function sendWebhook(
  config: { url: string; secret: string },
  out: Outgoing,
  ctx: SendContext,
): Promise<SendOutcome> {
  const body = JSON.stringify(out.body);
  const timestamp = new Date();
  return post(
    ctx,
    config.url,
    {
      'content-type': 'application/json',
      'webhook-id': out.body.id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': new Webhook(config.secret).sign(out.body.id, timestamp, body),
    },
    body,
  );
}
