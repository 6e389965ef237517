import type { WebhookBody } from '../../contracts/notifications';
import type { RenderedMessage } from '../render';

/** One message on its way to a channel: the JSON body (what a generic webhook receives) and its words. */
export interface Outgoing {
  body: WebhookBody;
  rendered: RenderedMessage;
}

/** How an attempt ended. `permanent` failures are not retried; `retryAfterMs` is the receiver's own wish. */
export type SendOutcome =
  | { ok: true; responseCode: number | null }
  | {
      ok: false;
      responseCode: number | null;
      error: string;
      permanent: boolean;
      retryAfterMs: number | null;
    };

export interface SendContext {
  fetch: typeof fetch;
  /** Each request is abandoned after this long. */
  timeoutMs: number;
}

/** Cuts text to a receiver's field limit. */
export const clip = (text: string, max: number): string =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;
