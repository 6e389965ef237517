import type { ErrorIssue } from '../contracts/errors';

/**
 * Errors of the domain, thrown anywhere in src/lib and mapped to an answer only at the edges: to
 * HTTP in the route wrapper (http/errors.ts), to error frames in the WebSocket handler. Nothing
 * below those edges knows about status codes.
 */
export const DOMAIN_ERROR_KINDS = [
  'not_found',
  'conflict',
  'invalid_input',
  'budget_exhausted',
  'unavailable',
  /** Storage refuses it: free space below the floor, or the disk full. */
  'insufficient_storage',
] as const;
export type DomainErrorKind = (typeof DOMAIN_ERROR_KINDS)[number];

// A brand instead of instanceof: server.ts and Next's compiled routes load separate copies of this module.
const DOMAIN_ERROR = Symbol.for('claudeops.DomainError');

export class DomainError extends Error {
  readonly [DOMAIN_ERROR] = true;
  override name = 'DomainError';

  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    /** The input field the error is about, when there is one, and what is wrong with it. */
    readonly issue?: ErrorIssue,
    /** Machine-readable facts, e.g. which budget refused a run. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return typeof error === 'object' && error !== null && DOMAIN_ERROR in error;
}

export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);

export const conflict = (message: string, field?: string) =>
  new DomainError('conflict', message, field === undefined ? undefined : { path: field, message });

const invalidMessage = (field: string, message: string) => `Invalid ${field}: ${message}`;

export const invalidField = (field: string, message: string) =>
  new DomainError('invalid_input', invalidMessage(field, message), { path: field, message });

/**
 * Throws when checks found bad fields: the first is the error's issue, and the answer lists them
 * all (`details.issues` becomes the answer's `issues`).
 */
export function assertNoIssues(issues: readonly ErrorIssue[]): void {
  const [first] = issues;
  if (first)
    throw new DomainError('invalid_input', invalidMessage(first.path, first.message), first, { issues });
}

export const unavailable = (message: string) => new DomainError('unavailable', message);
