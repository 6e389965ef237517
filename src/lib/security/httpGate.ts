import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { RateLimiter } from '../auth/rateLimit';
import { SESSION_COOKIE } from '../auth/session';
import { contentSecurityPolicy, createNonce, STATIC_SECURITY_HEADERS } from './headers';
import {
  AUTH_VIA_HEADER,
  type CredentialCheck,
  type Decision,
  decide,
  type GatePolicy,
  type RequestFacts,
} from './requestGate';

const SIGN_IN_PATH = '/api/auth/session';
/** Ten sign-in attempts per minute per client address. */
const signInLimiter = new RateLimiter(10, 60_000);

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function sessionCookie(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) return rest.join('=');
  }
  return undefined;
}

/**
 * The request's path, or null for a target Next could not decode or route the same way: bad
 * percent-encoding, or dot segments that normalization would move. Such targets get a JSON 400
 * here instead of Next's HTML error page.
 */
function pathOf(url: string | undefined): string | null {
  if (!url?.startsWith('/') || url.startsWith('//')) return null;
  const raw = url.split('?')[0] ?? '';
  try {
    decodeURIComponent(raw);
    const { pathname } = new URL(url, 'http://localhost');
    return pathname === raw ? pathname : null;
  } catch {
    return null;
  }
}

/** Where the gate reads the credentials, once per request (the token may be rotated by another process). */
export interface CredentialSource {
  current(): Promise<CredentialCheck>;
}

/** With authentication off the gate admits without looking at credentials: none are read. */
const UNREAD: CredentialCheck = { isValidToken: () => false, isValidSession: () => false };

export interface HttpGateOptions {
  policy: GatePolicy;
  credentials: CredentialSource;
  scheme: 'http' | 'https';
  dev: boolean;
}

/** Applies the request gate to Node's request objects: answers refusals itself, sets security headers. */
export function createHttpGate({ policy, credentials, scheme, dev }: HttpGateOptions) {
  const factsOf = (request: IncomingMessage, path: string, isUpgrade: boolean): RequestFacts => ({
    method: request.method ?? 'GET',
    path,
    host: header(request, 'host'),
    origin: header(request, 'origin'),
    secFetchSite: header(request, 'sec-fetch-site'),
    authorization: header(request, 'authorization'),
    sessionCookie: sessionCookie(header(request, 'cookie')),
    isUpgrade,
    scheme,
  });

  const check = async (request: IncomingMessage, isUpgrade: boolean): Promise<Decision> => {
    const path = pathOf(request.url);
    if (path === null)
      return { allow: false, status: 400, code: 'bad_request', message: 'Malformed request target' };
    const current = policy.authEnabled ? await credentials.current() : UNREAD;
    return decide(factsOf(request, path, isUpgrade), policy, current);
  };

  return {
    /** Resolves true when the request may go on to Next; otherwise it has been answered. */
    async admit(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
      for (const [name, value] of Object.entries(STATIC_SECURITY_HEADERS)) response.setHeader(name, value);
      const decision = await check(request, false);
      if (!decision.allow) {
        // The body is read and dropped, so a client still sending it gets to read the answer.
        request.resume();
        if (decision.redirectTo) {
          response.writeHead(303, { Location: decision.redirectTo, 'Cache-Control': 'no-store' }).end();
        } else {
          response
            .writeHead(decision.status, { 'Content-Type': 'application/json' })
            .end(JSON.stringify({ error: { code: decision.code, message: decision.message } }));
        }
        return false;
      }
      if (request.method === 'POST' && pathOf(request.url) === SIGN_IN_PATH) {
        const wait = signInLimiter.hit(request.socket.remoteAddress ?? 'unknown');
        if (wait > 0) {
          response.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': String(wait) }).end(
            JSON.stringify({
              error: { code: 'rate_limited', message: `Too many sign-in attempts; retry in ${wait} s` },
            }),
          );
          return false;
        }
      }
      request.headers[AUTH_VIA_HEADER] = decision.via;
      // Next reads the nonce from the request's CSP header and puts it on the scripts it renders.
      const csp = contentSecurityPolicy(createNonce(), dev);
      request.headers['content-security-policy'] = csp;
      response.setHeader('Content-Security-Policy', csp);
      return true;
    },

    /** Whether the credentials a request (e.g. a socket's upgrade) carried are still good. */
    async isAuthorized(request: IncomingMessage): Promise<boolean> {
      return (await check(request, true)).allow;
    },

    /** Refuses an upgrade before the WebSocket opens; resolves true when it may proceed. */
    async admitUpgrade(request: IncomingMessage, socket: Duplex): Promise<boolean> {
      const decision = await check(request, true);
      if (decision.allow) return true;
      const body = JSON.stringify({ error: { code: decision.code, message: decision.message } });
      socket.end(
        `HTTP/1.1 ${decision.status} ${decision.status === 401 ? 'Unauthorized' : decision.status === 403 ? 'Forbidden' : 'Bad Request'}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return false;
    },
  };
}
