import { post } from './http';
import { clip, type Outgoing, type SendContext, type SendOutcome } from './types';

const SEVERITY_EMOJI = {
  critical: ':rotating_light:',
  warning: ':warning:',
  resolved: ':white_check_mark:',
  info: ':information_source:',
} as const;

/** Slack's mrkdwn treats these three as control characters. */
const escapeMrkdwn = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** A Slack incoming-webhook payload: `text` for the notification itself, blocks for the message. */
export function slackPayload({ rendered }: Outgoing): object {
  const { title, text, fields, url, severity } = rendered;
  const blocks: object[] = [{ type: 'header', text: { type: 'plain_text', text: clip(title, 150) } }];
  if (text !== '')
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(escapeMrkdwn(text), 3000) } });
  if (fields.length > 0)
    blocks.push({
      type: 'section',
      fields: fields.slice(0, 10).map((f) => ({
        type: 'mrkdwn',
        text: clip(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`, 2000),
      })),
    });
  const links = [...rendered.actions, { label: 'Open in ClaudeOps', url }];
  blocks.push({
    type: 'section',
    text: { type: 'mrkdwn', text: links.map((link) => `<${link.url}|${link.label}>`).join('  ·  ') },
  });
  return { text: `${SEVERITY_EMOJI[severity]} ${clip(escapeMrkdwn(title), 3000)}`, blocks };
}

export function sendSlack(config: { url: string }, out: Outgoing, ctx: SendContext): Promise<SendOutcome> {
  return post(ctx, config.url, { 'content-type': 'application/json' }, JSON.stringify(slackPayload(out)));
}
