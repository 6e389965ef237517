import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/lib/logger';
import { SecretMasker } from '../../src/lib/security/secrets';

/** A real pino logger whose JSON lines are kept for the test to read. */
export function capturingLogger(): { logger: Logger; records: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return {
    logger: createLogger({ destination, masker: new SecretMasker([]) }),
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
