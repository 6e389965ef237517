import nodemailer from 'nodemailer';
import type { SmtpTlsMode } from '../../contracts/notifications';
import type { Outgoing, SendContext, SendOutcome } from './types';

export interface SmtpConfig {
  host: string;
  port: number;
  tls: SmtpTlsMode;
  user: string | null;
  password: string | null;
  from: string;
  to: string[];
}

/** The mail's text: the title, the sentence, the figures, the link. */
export function emailText({ body, rendered }: Outgoing): string {
  const figures = rendered.fields.map((f) => `${f.label}: ${f.value}`).join('\n');
  return [
    rendered.title,
    '',
    rendered.text,
    ...(figures === '' ? [] : ['', figures]),
    ...rendered.actions.flatMap((action) => ['', `${action.label} (one-time link): ${action.url}`]),
    '',
    `Open in ClaudeOps: ${rendered.url}`,
    '',
    `-- ClaudeOps notification ${body.type} (${body.id})`,
  ].join('\n');
}

/** The SMTP reply code at the start of a server answer ("250 OK: queued"). */
const replyCode = (response: string | undefined): number | null => {
  const match = /^(\d{3})\b/.exec(response ?? '');
  return match?.[1] === undefined ? null : Number(match[1]);
};

/**
 * Sends over SMTP with nodemailer. TLS `tls` connects encrypted (usually port 465); `starttls`
 * upgrades a plain connection and refuses to go on without it (587); `none` sends in the clear.
 * A 5xx reply (mailbox unknown, authentication refused) is permanent; 4xx replies and network
 * failures are retried. The Message-ID is the event's id, so a retried mail is recognisably the same.
 */
export async function sendEmail(config: SmtpConfig, out: Outgoing, ctx: SendContext): Promise<SendOutcome> {
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.tls === 'tls',
    requireTLS: config.tls === 'starttls',
    ignoreTLS: config.tls === 'none',
    ...(config.user !== null && { auth: { user: config.user, pass: config.password ?? '' } }),
    connectionTimeout: ctx.timeoutMs,
    greetingTimeout: ctx.timeoutMs,
    socketTimeout: ctx.timeoutMs,
  });
  try {
    const info = await transport.sendMail({
      from: config.from,
      to: config.to,
      subject: `[ClaudeOps] ${out.rendered.title}`,
      text: emailText(out),
      messageId: `<${out.body.id}@claudeops>`,
      headers: { 'X-ClaudeOps-Event': out.body.type },
    });
    return { ok: true, responseCode: replyCode(info.response) };
  } catch (error) {
    const code =
      error instanceof Error && 'responseCode' in error && typeof error.responseCode === 'number'
        ? error.responseCode
        : null;
    return {
      ok: false,
      responseCode: code,
      error: error instanceof Error ? error.message : String(error),
      permanent: code !== null && code >= 500,
      retryAfterMs: null,
    };
  } finally {
    transport.close();
  }
}
