import type { ChannelConfig } from '../channels';
import { sendDiscord } from './discord';
import { sendEmail } from './email';
import { sendNtfy } from './ntfy';
import { sendSlack } from './slack';
import type { Outgoing, SendContext, SendOutcome } from './types';
import { sendWebhook } from './webhook';

/** Sends one message through the channel's own sender. */
export function send(config: ChannelConfig, out: Outgoing, ctx: SendContext): Promise<SendOutcome> {
  switch (config.type) {
    case 'webhook':
      return sendWebhook(config, out, ctx);
    case 'slack':
      return sendSlack(config, out, ctx);
    case 'discord':
      return sendDiscord(config, out, ctx);
    case 'ntfy':
      return sendNtfy(config, out, ctx);
    case 'email':
      return sendEmail(config, out, ctx);
  }
}
