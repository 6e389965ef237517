import { APPROVAL_TOKEN_SOURCE } from '../contracts/approvals';

/**
 * The one gate every request and WebSocket upgrade passes before Next or the socket server sees
 * it. Pure: facts in, decision out. Order matters: Host (DNS rebinding), then Origin (cross-site
 * requests), then authentication, then the CSRF rule for cookie-authorized writes.
 */

export interface GatePolicy {
  /** Lower-case host names (no port) this server answers to: the DNS-rebinding defence. */
  allowedHostnames: ReadonlySet<string>;
  /** Extra exact origins allowed besides the server's own (e.g. a TLS proxy's public origin). */
  extraOrigins: ReadonlySet<string>;
  authEnabled: boolean;
}

export interface RequestFacts {
  method: string;
  path: string;
  host: string | undefined;
  origin: string | undefined;
  secFetchSite: string | undefined;
  authorization: string | undefined;
  sessionCookie: string | undefined;
  isUpgrade: boolean;
  /** The scheme the browser used (https behind a TLS proxy). */
  scheme: 'http' | 'https';
}

export interface CredentialCheck {
  isValidToken(token: string): boolean;
  isValidSession(value: string): boolean;
}

/** How an admitted request was authorized. */
export type AuthVia = 'bearer' | 'session' | 'public' | 'auth-disabled';

/** The header the gate sets on every admitted request (replacing any the client sent) for the routes to read. */
export const AUTH_VIA_HEADER = 'x-claudeops-auth-via';

export type Decision =
  | { allow: true; via: AuthVia }
  | { allow: false; status: 400 | 401 | 403; code: string; message: string; redirectTo?: string };

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/**
 * A one-time approval link's confirmation page and its button: the signed token in the path is the
 * credential for that one decision, so they need no session (a phone opening a notification has none).
 */
const APPROVAL_PAGE = new RegExp(`^/approve/${APPROVAL_TOKEN_SOURCE}$`);
const APPROVAL_LINK_API = new RegExp(`^/api/approval-links/${APPROVAL_TOKEN_SOURCE}$`);
const PUBLIC_GET = [/^\/signin$/, /^\/_next\/static\//, /^\/icon\.svg$/, /^\/favicon\.ico$/, APPROVAL_PAGE];
const SIGN_IN_API = '/api/auth/session';
/** Read by programs rather than people: refused with a 401, never sent to the sign-in page. */
const isMachinePath = (path: string): boolean => path.startsWith('/api/') || path === '/metrics';

type Denial = Extract<Decision, { allow: false }>;

const deny = (status: 400 | 401 | 403, code: string, message: string): Denial => ({
  allow: false,
  status,
  code,
  message,
});

/** The host name of a Host header, or null if it is not a plain `name[:port]`. */
export function parseHostHeader(host: string | undefined): string | null {
  if (!host || !/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)) return null;
  try {
    return new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

function isPublic(facts: RequestFacts): boolean {
  if (facts.isUpgrade) return false;
  if (facts.method === 'GET' || facts.method === 'HEAD')
    return PUBLIC_GET.some((pattern) => pattern.test(facts.path));
  return facts.method === 'POST' && (facts.path === SIGN_IN_API || APPROVAL_LINK_API.test(facts.path));
}

function bearerToken(authorization: string | undefined): string | null | undefined {
  if (authorization === undefined) return undefined;
  const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/.exec(authorization);
  return match?.[1] ?? null;
}

export function decide(facts: RequestFacts, policy: GatePolicy, credentials: CredentialCheck): Decision {
  const hostname = parseHostHeader(facts.host);
  if (hostname === null) return deny(400, 'bad_host', 'Missing or malformed Host header');
  if (!policy.allowedHostnames.has(hostname)) {
    return deny(403, 'host_not_allowed', `Host ${hostname} is not an allowed name for this server`);
  }

  // Exact match only: "null", another port, or an origin that merely starts with ours are refused.
  const ownOrigin = `${facts.scheme}://${facts.host?.toLowerCase()}`;
  if (facts.origin !== undefined && facts.origin !== ownOrigin && !policy.extraOrigins.has(facts.origin)) {
    return deny(403, 'origin_not_allowed', 'Cross-origin requests are not allowed');
  }

  if (isPublic(facts)) return { allow: true, via: 'public' };
  if (!policy.authEnabled) return { allow: true, via: 'auth-disabled' };

  const token = bearerToken(facts.authorization);
  if (token === null || (token !== undefined && !credentials.isValidToken(token))) {
    return deny(401, 'unauthorized', 'Invalid access token');
  }
  if (token !== undefined) return { allow: true, via: 'bearer' };

  if (facts.sessionCookie === undefined || !credentials.isValidSession(facts.sessionCookie)) {
    const isPage = !facts.isUpgrade && !isMachinePath(facts.path) && facts.method === 'GET';
    return isPage
      ? {
          ...deny(401, 'unauthorized', 'Sign in first'),
          redirectTo: `/signin?next=${encodeURIComponent(facts.path)}`,
        }
      : deny(401, 'unauthorized', 'Sign in or send Authorization: Bearer <token>');
  }
  // A cookie alone never authorizes a cross-site request, nor a write or upgrade without an Origin.
  if (facts.secFetchSite === 'cross-site')
    return deny(403, 'cross_site', 'Cross-site requests are not allowed');
  if ((STATE_CHANGING.has(facts.method) || facts.isUpgrade) && facts.origin === undefined) {
    return deny(403, 'origin_required', 'Requests that change state must carry an Origin header');
  }
  return { allow: true, via: 'session' };
}
