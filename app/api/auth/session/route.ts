import { clearedSessionCookieHeader, sessionCookieHeader } from '@/lib/auth/session';
import { signInSchema } from '@/lib/contracts/auth';
import { ApiError } from '@/lib/http/errors';
import { route } from '@/lib/http/route';
import { requireRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/** Sign in: exchanges the access token for a session cookie. Rate limited by the server gate. */
export const POST = route({ body: signInSchema }, ({ body }) => {
  const { credentials, secureCookies } = requireRuntime();
  if (!credentials.isValidToken(body.token)) {
    throw new ApiError(401, 'invalid_token', 'That access token is not valid', [
      { path: 'token', message: 'Not the current access token (it may have been rotated)' },
    ]);
  }
  return new Response(null, {
    status: 204,
    headers: { 'Set-Cookie': sessionCookieHeader(credentials.createSession(), { secure: secureCookies }) },
  });
});

/** Sign out of this browser. */
export const DELETE = route({}, () => {
  const { secureCookies } = requireRuntime();
  return new Response(null, {
    status: 204,
    headers: { 'Set-Cookie': clearedSessionCookieHeader({ secure: secureCookies }) },
  });
});
