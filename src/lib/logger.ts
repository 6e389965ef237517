import { processSecretMasker, type SecretMasker } from './security/secrets';

type Level = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

function serializable(value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
}

/** One line per event: time, level, message, then the fields as JSON; known secrets masked. */
export function createLogger(
  minLevel: Level = 'info',
  write: (line: string) => void = console.log,
  masker: SecretMasker = processSecretMasker(),
): Logger {
  const log = (level: Level, message: string, fields?: LogFields) => {
    if (RANK[level] < RANK[minLevel]) return;
    const extra = fields ? ` ${JSON.stringify(fields, (_key, value) => serializable(value))}` : '';
    write(masker.mask(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}${extra}`));
  };
  return {
    debug: (message, fields) => log('debug', message, fields),
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
  };
}
