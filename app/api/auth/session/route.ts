import { clearedSessionCookieHeader, sessionCookieHeader } from '@/lib/auth/session';
import { signInSchema } from '@/lib/contracts/auth';
import { ApiError } from '@/lib/http/errors';
import { route } from '@/lib/http/route';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

function runtimeOrFail() {
  const runtime = getRuntime();
  if (!runtime) throw new ApiError(503, 'unavailable', 'The server is not running under server.ts');
  return runtime;
}

/** Sign in: exchanges the access token for a session cookie. Rate limited by the server gate. */
export const POST = route({ body: signInSchema }, ({ body }) => {
  const { credentials, secureCookies } = runtimeOrFail();
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
  const { secureCookies } = runtimeOrFail();
  return new Response(null, {
    status: 204,
    headers: { 'Set-Cookie': clearedSessionCookieHeader({ secure: secureCookies }) },
  });
});
