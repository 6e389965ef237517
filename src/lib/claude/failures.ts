import type { SDKAssistantMessageError, SDKMessage, SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';

/** Every way a run can fail, as stored in `executions.error_code`. */
export const FAILURE_CLASSES = [
  'rate_limit',
  'overloaded',
  'server_error',
  'network',
  'auth',
  'invalid_request',
  'max_turns',
  'process_crash',
  'agent_error',
] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

/** Worth another attempt later: the cause is outside the run and usually passes. */
export const TRANSIENT_FAILURES: ReadonlySet<FailureClass> = new Set([
  'rate_limit',
  'overloaded',
  'server_error',
  'network',
]);

export class RunFailure extends Error {
  override name = 'RunFailure';

  constructor(
    readonly failureClass: FailureClass,
    message: string,
  ) {
    super(message);
  }

  get transient(): boolean {
    return TRANSIENT_FAILURES.has(this.failureClass);
  }
}

const BY_SDK_ERROR: Record<SDKAssistantMessageError, FailureClass> = {
  rate_limit: 'rate_limit',
  overloaded: 'overloaded',
  server_error: 'server_error',
  authentication_failed: 'auth',
  oauth_org_not_allowed: 'auth',
  account_on_hold: 'auth',
  verification_required: 'auth',
  billing_error: 'auth',
  cloud_credential_error: 'auth',
  invalid_request: 'invalid_request',
  model_not_found: 'invalid_request',
  max_output_tokens: 'agent_error',
  // No HTTP answer at all (reset, timeout) unless a status says otherwise.
  unknown: 'network',
};

function byStatus(status: number): FailureClass {
  if (status === 429) return 'rate_limit';
  if (status === 529) return 'overloaded';
  if (status >= 500) return 'server_error';
  if (status === 401 || status === 403) return 'auth';
  return 'invalid_request';
}

/**
 * What the stream told us about API failures, gathered as messages arrive. The most specific
 * source wins: an HTTP status, then the error kind of Claude Code's own `api_retry` events,
 * then the final synthetic error message (which reports a 529 or a dropped connection as a
 * generic `server_error`).
 */
export class ApiErrorObserver {
  retries = 0;
  private status: number | null = null;
  private retryError: SDKAssistantMessageError | undefined;
  private finalError: SDKAssistantMessageError | undefined;

  observe(message: SDKMessage): void {
    if (message.type === 'system' && message.subtype === 'api_retry') {
      this.retries += 1;
      this.retryError = message.error;
      this.status = message.error_status ?? this.status;
    } else if (message.type === 'assistant' && message.error !== undefined) {
      this.finalError = message.error;
    } else if (
      message.type === 'result' &&
      message.subtype === 'success' &&
      typeof message.api_error_status === 'number'
    ) {
      this.status = message.api_error_status;
    }
  }

  /** The class of the API failure seen, if any. */
  failureClass(): FailureClass | undefined {
    if (this.status !== null) return byStatus(this.status);
    const error = this.retryError ?? this.finalError;
    return error === undefined ? undefined : BY_SDK_ERROR[error];
  }
}

/** Classifies a run that ended without being stopped from outside; null when it succeeded. */
export function classifyFailure(
  result: SDKResultMessage | undefined,
  thrown: unknown,
  apiErrors: ApiErrorObserver,
): RunFailure | null {
  if (result?.subtype === 'success' && !result.is_error) return null;
  if (result?.subtype === 'error_max_turns') return new RunFailure('max_turns', 'Reached the turn limit');
  const apiClass = apiErrors.failureClass();
  if (result) {
    const text = result.subtype === 'success' ? result.result : result.errors.join('; ');
    const message = text || result.subtype;
    if (result.terminal_reason === 'api_error' || apiClass !== undefined) {
      return new RunFailure(apiClass ?? 'server_error', message);
    }
    return new RunFailure('agent_error', message);
  }
  if (apiClass !== undefined)
    return new RunFailure(apiClass, thrown instanceof Error ? thrown.message : 'API error');
  const message = thrown instanceof Error ? thrown.message : 'The agent process ended without a result';
  return new RunFailure('process_crash', message);
}
