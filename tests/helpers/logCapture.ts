import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/lib/core/logger';
import { SecretMasker } from '../../src/lib/security/secrets';

/** A destination that keeps the JSON lines written to it. */
export function captureLines() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return {
    lines,
    destination,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** A real pino logger whose lines are kept for the test to read. */
export function capturingLogger(): { logger: Logger; records: () => Record<string, unknown>[] } {
  const { destination, records } = captureLines();
  return { logger: createLogger({ destination, masker: new SecretMasker([]) }), records };
}
