import type { z } from 'zod';

export interface ErrorIssue {
  path: string;
  message: string;
}

export type ApiErrorCode =
  | 'invalid_request'
  | 'invalid_json'
  | 'payload_too_large'
  | 'invalid_token'
  | 'not_found'
  | 'conflict'
  | 'budget_exhausted'
  | 'unavailable'
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

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);

export const conflict = (message: string, path?: string) =>
  new ApiError(409, 'conflict', message, path ? [{ path, message }] : undefined);

export const invalidField = (path: string, message: string) =>
  new ApiError(400, 'invalid_request', `Invalid ${path}: ${message}`, [{ path, message }]);

export function issuesFromZod(error: z.ZodError): ErrorIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
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
