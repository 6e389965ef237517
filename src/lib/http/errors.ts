import type { ErrorIssue } from '../contracts/errors';
import { type DomainError, type DomainErrorKind, isDomainError } from '../core/errors';
import { describeStorageFault, type StorageFault } from '../core/storageFault';

export type ApiErrorCode =
  | 'invalid_request'
  | 'invalid_json'
  | 'payload_too_large'
  | 'invalid_token'
  | 'not_found'
  | 'conflict'
  | 'budget_exhausted'
  | 'unavailable'
  | 'invalid_link'
  | 'link_expired'
  | 'insufficient_storage'
  | 'storage_error'
  | 'internal';

// A brand instead of instanceof: server.ts and Next's compiled routes load separate copies of this module.
const API_ERROR = Symbol.for('claudeops.ApiError');

/** An error meant for the client: its status, code and message are safe to send as they are. */
export class ApiError extends Error {
  readonly [API_ERROR] = true;
  override name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly issues?: ErrorIssue[],
    /** Machine-readable facts about the error, e.g. which budget refused a run. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function isApiError(error: unknown): error is ApiError {
  return typeof error === 'object' && error !== null && API_ERROR in error;
}

const HTTP_BY_KIND: Record<DomainErrorKind, { status: number; code: ApiErrorCode }> = {
  not_found: { status: 404, code: 'not_found' },
  conflict: { status: 409, code: 'conflict' },
  invalid_input: { status: 400, code: 'invalid_request' },
  budget_exhausted: { status: 409, code: 'budget_exhausted' },
  unavailable: { status: 503, code: 'unavailable' },
  insufficient_storage: { status: 507, code: 'insufficient_storage' },
};

/** The HTTP answer for a domain error: the one place where kinds become status codes. */
export function fromDomainError(error: DomainError): ApiError {
  const { status, code } = HTTP_BY_KIND[error.kind];
  return new ApiError(status, code, error.message, error.issue && [error.issue], error.details);
}

/** What a request that met a fault did not do: a read could not read, a write was not saved. */
const unfinished = (method: string): string =>
  method === 'GET' || method === 'HEAD' ? 'Could not read' : 'Not saved';

/**
 * A storage fault under a request: 507 when the disk is full (the request may work once space is
 * freed), 503 when it is read-only or failing. The answer says what failed and what to do.
 */
export function fromStorageFault(fault: StorageFault, dataDir: string, method: string): ApiError {
  return new ApiError(
    fault.kind === 'full' ? 507 : 503,
    fault.kind === 'full' ? 'insufficient_storage' : 'storage_error',
    `${unfinished(method)}: ${describeStorageFault(fault, dataDir)}`,
    undefined,
    { storage: { kind: fault.kind, code: fault.code } },
  );
}

/**
 * The database (Postgres at `where`) out of reach under a request: 503, saying so, so the console
 * shows a state of the deployment and not a bug. `cause`: a code (ECONNREFUSED) or driver's words.
 */
export function fromLostDatabase(cause: string, where: string, method: string): ApiError {
  return new ApiError(
    503,
    'unavailable',
    `${unfinished(method)}: the database (Postgres at ${where}) cannot be reached (${cause}). Try again once it is back.`,
    undefined,
    { database: { where, cause } },
  );
}

/** Client-safe errors as they are; domain errors mapped; anything else is not for the client (null). */
export function toApiError(error: unknown): ApiError | null {
  if (isApiError(error)) return error;
  return isDomainError(error) ? fromDomainError(error) : null;
}

export function errorBody(error: ApiError) {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.issues ? { issues: error.issues } : {}),
      ...error.details,
    },
  };
}
