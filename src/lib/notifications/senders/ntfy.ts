import { post } from './http';
import { clip, type Outgoing, type SendContext, type SendOutcome } from './types';

const PRIORITY = { critical: '4', warning: '3', info: '2', resolved: '2' } as const;
const TAG = {
  critical: 'rotating_light',
  warning: 'warning',
  resolved: 'white_check_mark',
  info: 'information_source',
} as const;

/** HTTP headers carry Latin-1 at most; ntfy decodes RFC 2047 encoded-words, so other text goes as one. */
export function headerText(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

/** The plain-text body: the sentence, then the figures, one per line. */
export function ntfyBody({ rendered }: Outgoing): string {
  const figures = rendered.fields.map((f) => `${f.label}: ${f.value}`).join('\n');
  return clip(figures === '' ? rendered.text : `${rendered.text}\n\n${figures}`, 4000);
}

/** POST to the topic URL: the body is the message; title, priority, tags and link are headers. */
export function sendNtfy(
  config: { url: string; token: string | null },
  out: Outgoing,
  ctx: SendContext,
): Promise<SendOutcome> {
  const { title, url, severity } = out.rendered;
  return post(
    ctx,
    config.url,
    {
      'content-type': 'text/plain; charset=utf-8',
      title: headerText(clip(title, 250)),
      priority: PRIORITY[severity],
      tags: `${TAG[severity]},${out.body.type}`,
      click: url,
      // Buttons that open the confirmation page of each one-time link (never a decision on tap alone).
      ...(out.rendered.actions.length > 0 && {
        actions: out.rendered.actions.map((action) => `view, ${action.label}, ${action.url}`).join('; '),
      }),
      ...(config.token !== null && { authorization: `Bearer ${config.token}` }),
    },
    ntfyBody(out),
  );
}
