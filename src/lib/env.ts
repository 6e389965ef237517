import path from 'node:path';
import { z } from 'zod';

const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.preprocess(emptyToUndefined, z.string().min(1).default('127.0.0.1')),
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65_535).default(3000)),
  CLAUDEOPS_DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
  DATABASE_PATH: optionalString,
  LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(['debug', 'info', 'warn', 'error']).default('info')),
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: z.preprocess(emptyToUndefined, z.url().optional()),
  /** Optional path to a Claude Code binary other than the one bundled with the SDK. */
  CLAUDE_CODE_EXECUTABLE: optionalString,
});

export interface AppEnv {
  nodeEnv: 'development' | 'production' | 'test';
  host: string;
  port: number;
  dataDir: string;
  databasePath: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  anthropicApiKey: string | undefined;
  anthropicBaseUrl: string | undefined;
  claudeCodeExecutable: string | undefined;
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
  const dataDir = path.resolve(e.CLAUDEOPS_DATA_DIR);
  return {
    nodeEnv: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    dataDir,
    databasePath: path.resolve(e.DATABASE_PATH ?? path.join(dataDir, 'claudeops.db')),
    logLevel: e.LOG_LEVEL,
    anthropicApiKey: e.ANTHROPIC_API_KEY,
    anthropicBaseUrl: e.ANTHROPIC_BASE_URL,
    claudeCodeExecutable: e.CLAUDE_CODE_EXECUTABLE,
  };
}

const globalForEnv = globalThis as typeof globalThis & { __claudeopsEnv?: AppEnv };

/** The process-wide environment, shared by server.ts and Next's compiled routes. */
export function env(): AppEnv {
  globalForEnv.__claudeopsEnv ??= parseEnv();
  return globalForEnv.__claudeopsEnv;
}
