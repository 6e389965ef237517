import pino from 'pino';
import pretty from 'pino-pretty';
import { env } from '../config/env';
import { processSecretMasker, type SecretMasker } from '../security/secrets';
import { singleton } from './singleton';

export type Logger = pino.Logger;
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Field paths that hold credentials wherever they appear in a log line's fields. */
export const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'password',
  '*.password',
  'secret',
  '*.secret',
];

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; default stdout (pretty when it is a terminal, JSON lines otherwise). */
  destination?: pino.DestinationStream;
  masker?: SecretMasker;
}

/**
 * Structured JSON lines (pino). Secrets are removed twice: by field path (`redact`) and by value,
 * since an API key can also hide inside an error message or a command line.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const masker = options.masker ?? processSecretMasker();
  const destination =
    options.destination ??
    (process.stdout.isTTY ? pretty({ sync: true, colorize: true }) : pino.destination({ sync: true }));
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      hooks: { streamWrite: (line) => masker.mask(line) },
    },
    destination,
  );
}

/**
 * The message of a line logged for an uncaught exception or an unhandled rejection: a bug by
 * definition. The integration tests fail when a server they started logged one.
 */
export const PROCESS_ERROR_MESSAGE = 'uncaught error';

/**
 * Logs every uncaught exception and unhandled rejection with PROCESS_ERROR_MESSAGE. A rejection is
 * logged and the server goes on (one stray promise must not kill every run); after an exception
 * the process's state is unknown, so `onException` stops it.
 */
export function logProcessErrors(logger: Logger, onException: () => void): void {
  process.on('unhandledRejection', (reason) =>
    logger.error({ err: reason, kind: 'unhandledRejection' }, PROCESS_ERROR_MESSAGE),
  );
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error, kind: 'uncaughtException' }, PROCESS_ERROR_MESSAGE);
    onException();
  });
}

/** The process's logger, shared by server.ts and the compiled routes. */
export function appLogger(): Logger {
  return singleton('logger', () => createLogger({ level: env().logLevel }));
}
