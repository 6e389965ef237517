import { describe, expect, it } from 'vitest';
import { createLogger } from '@/lib/core/logger';
import { SecretMasker } from '@/lib/security/secrets';
import { captureLines } from '../helpers/logCapture';

describe('logger', () => {
  it('writes one JSON line per event with level, time, message and fields', () => {
    const out = captureLines();
    createLogger({ destination: out.destination, masker: new SecretMasker([]) }).info(
      { executionId: 7 },
      'execution finished',
    );
    const [record] = out.records();
    expect(record).toMatchObject({ level: 30, msg: 'execution finished', executionId: 7 });
    expect(typeof record?.time).toBe('number');
  });

  it('drops lines below its level', () => {
    const out = captureLines();
    const logger = createLogger({
      level: 'warn',
      destination: out.destination,
      masker: new SecretMasker([]),
    });
    logger.info('hidden');
    logger.warn('shown');
    expect(out.records().map((r) => r.msg)).toEqual(['shown']);
  });

  it('masks a known secret by value anywhere in the line, and credential fields by path', () => {
    const out = captureLines();
    const key = 'sk-ant-api03-very-secret-value';
    const logger = createLogger({ destination: out.destination, masker: new SecretMasker([key]) });
    logger.error(
      { err: new Error(`request failed with ${key}`), headers: { authorization: 'Bearer abc' } },
      'boom',
    );
    const line = out.lines.join('\n');
    expect(line).not.toContain(key);
    expect(line).not.toContain('Bearer abc');
    expect(line).toContain('[REDACTED]');
    expect(out.records()[0]?.err).toMatchObject({ type: 'Error' });
  });
});
