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

/** The process's logger, shared by server.ts and the compiled routes. */
export function appLogger(): Logger {
  return singleton('logger', () => createLogger({ level: env().logLevel }));
}
