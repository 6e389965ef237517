import path from 'node:path';
import { z } from 'zod';
import { hostNameSchema } from '../contracts/metrics';
import { workerLabelSchema } from '../contracts/workers';
import { singleton } from '../core/singleton';

const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.preprocess(emptyToUndefined, z.string().min(1).default('127.0.0.1')),
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65_535).default(3000)),
  CLAUDEOPS_DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
  DATABASE_PATH: optionalString,
  /** Postgres to store everything in (docs/scaling.md): it holds a password, masked wherever text goes. */
  DATABASE_URL: optionalString,
  LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(['debug', 'info', 'warn', 'error']).default('info')),
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: z.preprocess(emptyToUndefined, z.url().optional()),
  /** Optional path to a Claude Code binary other than the one bundled with the SDK. */
  CLAUDE_CODE_EXECUTABLE: optionalString,
  CLAUDEOPS_TOKEN: z.preprocess(
    emptyToUndefined,
    z.string().min(16, 'Use at least 16 characters').optional(),
  ),
  CLAUDEOPS_AUTH: z.preprocess(emptyToUndefined, z.enum(['token', 'off']).default('token')),
  CLAUDEOPS_ALLOWED_HOSTS: optionalString,
  CLAUDEOPS_ALLOWED_ORIGINS: optionalString,
  CLAUDEOPS_PUBLIC_URL: z.preprocess(emptyToUndefined, z.url().optional()),
  /** The wait before a notification's first retry (tests shorten it); unset: the worker's default. */
  CLAUDEOPS_NOTIFY_RETRY_BASE_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(1).max(3_600_000).optional(),
  ),
  /**
   * How long a tool call waiting for a person keeps its Claude Code process (answered within it,
   * the run goes on at once); past it the process ends and the answer resumes the session.
   */
  CLAUDEOPS_APPROVAL_HOLD_SECONDS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(0).max(3_600).default(60),
  ),
  /**
   * On a stop signal, how long running runs get to finish before they are handed back to the queue
   * (0: no drain, they are cancelled at once). The default with the shutdown's own 15 s stays
   * under systemd's 90 s stop timeout.
   */
  CLAUDEOPS_DRAIN_SECONDS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(0).max(3_600).default(60),
  ),
  /** This process's worker labels, comma-separated (`repo-a,gpu`): agents may require them. */
  WORKER_LABELS: z
    .string()
    .default('')
    .transform((value, context) => workerLabelsOf(value, context)),
  /**
   * Whether the web process runs agents itself (a worker beside the dashboard, the one-box
   * default); `false` leaves them to worker hosts (`npm run worker`), on Postgres only.
   */
  CLAUDEOPS_RUN_AGENTS: z.preprocess(emptyToUndefined, z.enum(['true', 'false']).default('true')),
  /**
   * The name this machine's workers and metrics are filed under, when its hostname is not a
   * lasting one (a container's changes at each start); one name per machine. Default: the hostname.
   */
  CLAUDEOPS_HOST_NAME: z.preprocess(emptyToUndefined, hostNameSchema.optional()),
  /** MiB kept in a reserve file in the data directory, given back when the disk fills (0: none). */
  CLAUDEOPS_STORAGE_RESERVE_MB: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(0).max(4_096).default(32),
  ),
});

/** A comma-separated label list, each trimmed; a bad one is an issue naming it. */
function workerLabelsOf(value: string, context: z.RefinementCtx): string[] {
  if (value.trim() === '') return [];
  const labels = value.split(',').map((label) => label.trim());
  labels.forEach((label, index) => {
    const checked = workerLabelSchema.safeParse(label);
    if (!checked.success)
      for (const issue of checked.error.issues)
        context.addIssue({
          code: 'custom',
          message: `label ${index + 1} (${JSON.stringify(label)}): ${issue.message}`,
        });
  });
  return [...new Set(labels)];
}

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'];

/** A bind address reachable only from this machine. */
export const isLoopbackHost = (host: string): boolean => LOOPBACK_HOSTS.includes(host) || /^127\./.test(host);

export interface AppEnv {
  nodeEnv: 'development' | 'production' | 'test';
  host: string;
  port: number;
  dataDir: string;
  databasePath: string;
  /** Postgres to store everything in (docs/scaling.md); unset, the SQLite file at `databasePath`. */
  databaseUrl: string | undefined;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  anthropicApiKey: string | undefined;
  anthropicBaseUrl: string | undefined;
  claudeCodeExecutable: string | undefined;
  /** Fixed access token from CLAUDEOPS_TOKEN; otherwise one is generated and only its hash stored. */
  accessToken: string | undefined;
  authEnabled: boolean;
  /** Host names (no port) the server answers to; anything else is refused (DNS rebinding). */
  allowedHostnames: string[];
  /** Origins allowed besides the server's own, exact match. */
  allowedOrigins: string[];
  /** The URL people use when a TLS proxy sits in front; its scheme decides `Secure` cookies. */
  publicUrl: URL | undefined;
  /** The wait before a notification's first retry, doubling after; undefined for the worker's default. */
  notifyRetryBaseMs: number | undefined;
  /** How long a call waiting for a person keeps its process before the run is parked without one. */
  approvalHoldMs: number;
  /** Bytes of the reserve file the storage monitor gives back when the disk fills. */
  storageReserveBytes: number;
  /** On a stop signal, how long running runs get to finish before they are handed back (0: no drain). */
  drainMs: number;
  /** This process's worker labels (WORKER_LABELS): runs of an agent requiring others wait. */
  workerLabels: string[];
  /** Whether the web process runs agents itself (CLAUDEOPS_RUN_AGENTS); false only on Postgres. */
  runAgents: boolean;
  /** CLAUDEOPS_HOST_NAME: this machine's name for its workers and metrics, when not its hostname. */
  hostName: string | undefined;
}

export class EnvError extends Error {
  override name = 'EnvError';
}

/** Parses the environment once; a bad value stops the start with a message naming the variable. */
export function parseEnv(source: Record<string, string | undefined> = process.env): AppEnv {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new EnvError(`Invalid environment:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  if (e.CLAUDEOPS_AUTH === 'off' && !isLoopbackHost(e.HOST)) {
    throw new EnvError(
      `Refusing to start: HOST=${e.HOST} is reachable from other machines, and CLAUDEOPS_AUTH=off would let ` +
        'anyone who can reach it run commands on this machine. Remove CLAUDEOPS_AUTH=off, or bind 127.0.0.1.',
    );
  }
  if (e.CLAUDEOPS_RUN_AGENTS === 'false' && e.DATABASE_URL === undefined) {
    throw new EnvError(
      'CLAUDEOPS_RUN_AGENTS=false leaves runs to worker hosts, which share a Postgres database: set DATABASE_URL, or remove CLAUDEOPS_RUN_AGENTS.',
    );
  }
  const dataDir = path.resolve(e.CLAUDEOPS_DATA_DIR);
  const publicUrl = e.CLAUDEOPS_PUBLIC_URL === undefined ? undefined : new URL(e.CLAUDEOPS_PUBLIC_URL);
  const bracket = (host: string) => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);
  const allowedHostnames = [
    ...LOOPBACK_HOSTS,
    e.HOST,
    ...list(e.CLAUDEOPS_ALLOWED_HOSTS),
    ...(publicUrl ? [publicUrl.hostname] : []),
  ].map((host) => bracket(host.toLowerCase()));
  return {
    nodeEnv: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    dataDir,
    databasePath: path.resolve(e.DATABASE_PATH ?? path.join(dataDir, 'claudeops.db')),
    databaseUrl: e.DATABASE_URL,
    logLevel: e.LOG_LEVEL,
    anthropicApiKey: e.ANTHROPIC_API_KEY,
    anthropicBaseUrl: e.ANTHROPIC_BASE_URL,
    claudeCodeExecutable: e.CLAUDE_CODE_EXECUTABLE,
    accessToken: e.CLAUDEOPS_TOKEN,
    authEnabled: e.CLAUDEOPS_AUTH === 'token',
    allowedHostnames: [...new Set(allowedHostnames)],
    allowedOrigins: [...list(e.CLAUDEOPS_ALLOWED_ORIGINS), ...(publicUrl ? [publicUrl.origin] : [])],
    publicUrl,
    notifyRetryBaseMs: e.CLAUDEOPS_NOTIFY_RETRY_BASE_MS,
    approvalHoldMs: e.CLAUDEOPS_APPROVAL_HOLD_SECONDS * 1000,
    storageReserveBytes: e.CLAUDEOPS_STORAGE_RESERVE_MB * 1024 * 1024,
    drainMs: e.CLAUDEOPS_DRAIN_SECONDS * 1000,
    workerLabels: e.WORKER_LABELS,
    runAgents: e.CLAUDEOPS_RUN_AGENTS === 'true',
    hostName: e.CLAUDEOPS_HOST_NAME,
  };
}

/** The process-wide environment, shared by server.ts and Next's compiled routes. */
export function env(): AppEnv {
  return singleton('env', () => parseEnv());
}
