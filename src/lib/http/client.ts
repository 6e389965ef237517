import { z } from 'zod';

/**
 * The one way the browser calls the API: JSON in, zod-parsed JSON out, and one error type for
 * every failure. Headers every request needs (auth, CSRF) are added here and nowhere else.
 */

export interface ApiIssue {
  path: string;
  message: string;
}

const apiErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

export class ApiClientError extends Error {
  override name = 'ApiClientError';

  constructor(
    /** HTTP status; 0 when the request never got an answer. */
    readonly status: number,
    /** The API's error code (`invalid_request`, `conflict`, `not_found`…), or `network` / `bad_response`. */
    readonly code: string,
    message: string,
    readonly issues: readonly ApiIssue[] = [],
  ) {
    super(message);
  }
}

export interface ApiFetchOptions<T> {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
  /** Parses the answer; an empty answer (204) is parsed as `undefined`, so use `z.undefined()` there. */
  schema: z.ZodType<T>;
  signal?: AbortSignal;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function redirectToSignIn(): void {
  const here = `${window.location.pathname}${window.location.search}`;
  window.location.assign(`/signin?next=${encodeURIComponent(here)}`);
}

export async function apiFetch<T>(path: string, options: ApiFetchOptions<T>): Promise<T> {
  const { method = 'GET', body, schema, signal } = options;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiClientError(0, 'network', 'Could not reach the ClaudeOps server');
  }

  const data = await readJson(response);
  if (!response.ok) {
    const parsed = apiErrorBodySchema.safeParse(data);
    if (parsed.success) {
      const { code, message, issues } = parsed.data.error;
      // The session ended (expired, or the token was rotated): back to sign-in, then here again.
      if (response.status === 401 && code === 'unauthorized') redirectToSignIn();
      throw new ApiClientError(response.status, code, message, issues ?? []);
    }
    throw new ApiClientError(response.status, 'http_error', `The server answered ${response.status}`);
  }

  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    throw new ApiClientError(response.status, 'bad_response', `Unexpected answer from ${method} ${path}`);
  }
  return parsed.data;
}

/** A message fit to show a person, whatever was thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiClientError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong';
}
