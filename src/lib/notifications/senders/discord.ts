import { post } from './http';
import { clip, type Outgoing, type SendContext, type SendOutcome } from './types';

const SEVERITY_COLOR = { critical: 0xd93025, warning: 0xf2a600, resolved: 0x1e8e3e, info: 0x5865f2 } as const;

/** A Discord webhook payload: the title as `content`, the details as one embed; nobody is pinged. */
export function discordPayload({ body, rendered }: Outgoing): object {
  const { title, text, fields, url, severity } = rendered;
  return {
    content: clip(title, 2000),
    embeds: [
      {
        title: clip(title, 256),
        description: clip(
          [text, ...rendered.actions.map((action) => `[${action.label}](${action.url})`)].join('\n'),
          4096,
        ),
        url,
        color: SEVERITY_COLOR[severity],
        fields: fields
          .slice(0, 25)
          .map((f) => ({ name: clip(f.label, 256), value: clip(f.value, 1024), inline: true })),
        timestamp: new Date(body.occurredAt).toISOString(),
        footer: { text: `ClaudeOps · ${body.type}` },
      },
    ],
    // Agent output can contain "@everyone"; a notification must never ping a whole server.
    allowed_mentions: { parse: [] },
  };
}

export function sendDiscord(config: { url: string }, out: Outgoing, ctx: SendContext): Promise<SendOutcome> {
  return post(ctx, config.url, { 'content-type': 'application/json' }, JSON.stringify(discordPayload(out)));
}
