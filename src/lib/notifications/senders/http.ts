import type { SendContext, SendOutcome } from './types';

/** Longest wait a receiver's Retry-After may ask for; anything longer is capped. */
const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/** Retry-After as delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  if (!Number.isFinite(ms)) return null;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.round(ms)));
}

/**
 * An HTTP answer as an outcome. 2xx is delivered. A 4xx other than 408 and 429 means the request
 * itself is wrong (bad URL, revoked hook): retrying cannot help. Redirects are not followed (a
 * moved hook is a setting to fix), so a 3xx counts the same. 408, 429 and 5xx are retried.
 */
export function outcomeOfStatus(status: number, retryAfter: string | null, detail: string): SendOutcome {
  if (status >= 200 && status < 300) return { ok: true, responseCode: status };
  const transient = status === 408 || status === 429 || status >= 500;
  return {
    ok: false,
    responseCode: status,
    error: `HTTP ${status}${detail ? `: ${detail}` : ''}`,
    permanent: !transient,
    retryAfterMs: status === 429 || status === 503 ? parseRetryAfter(retryAfter) : null,
  };
}

function describeError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError')
    return `No answer within ${timeoutMs / 1000} s`;
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/** POSTs a body with a timeout; the answer's status decides the outcome, a network failure is retried. */
export async function post(
  ctx: SendContext,
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<SendOutcome> {
  try {
    const response = await ctx.fetch(url, {
      method: 'POST',
      headers: { 'user-agent': 'ClaudeOps', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(ctx.timeoutMs),
    });
    // Read the answer either way, so the connection is released; a failure's text helps whoever fixes it.
    const text = await response.text().catch(() => '');
    return outcomeOfStatus(response.status, response.headers.get('retry-after'), text.trim().slice(0, 300));
  } catch (error) {
    return {
      ok: false,
      responseCode: null,
      error: describeError(error, ctx.timeoutMs),
      permanent: false,
      retryAfterMs: null,
    };
  }
}
