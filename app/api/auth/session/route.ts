import { clearedSessionCookieHeader, sessionCookieHeader } from '@/lib/auth/session';
import { signInSchema } from '@/lib/contracts/auth';
import { ApiError } from '@/lib/http/errors';
import { route } from '@/lib/http/route';
import { requireRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/** Sign in: exchanges the access token for a session cookie. Rate limited by the server gate. */
export const POST = route(
  {
    body: signInSchema,
    doc: { summary: 'Sign in: the access token for a session cookie', errors: [401], public: true },
  },
  async ({ body }) => {
    const { credentials, secureCookies } = requireRuntime();
    const current = await credentials.current();
    if (!current.isValidToken(body.token)) {
      throw new ApiError(401, 'invalid_token', 'That access token is not valid', [
        { path: 'token', message: 'Not the current access token (it may have been rotated)' },
      ]);
    }
    return new Response(null, {
      status: 204,
      headers: { 'Set-Cookie': sessionCookieHeader(current.createSession(), { secure: secureCookies }) },
    });
  },
);

/** Sign out of this browser. */
export const DELETE = route({ doc: { summary: 'Sign out of this browser' } }, () => {
  const { secureCookies } = requireRuntime();
  return new Response(null, {
    status: 204,
    headers: { 'Set-Cookie': clearedSessionCookieHeader({ secure: secureCookies }) },
  });
});
