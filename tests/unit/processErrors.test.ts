import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertNoProcessErrors } from '../helpers/appServer';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Runs a script in a process of its own with the server's handlers installed; returns what it printed. */
function runWithHandlers(body: string): { output: string; status: number | null } {
  const script = `
    import { createLogger, logProcessErrors } from './src/lib/core/logger.ts';
    logProcessErrors(createLogger(), () => process.exit(3));
    ${body}
  `;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'test' },
  });
  return { output: `${result.stdout}${result.stderr}`, status: result.status };
}

// Each case starts Node with tsx, which takes seconds when the machine is busy (CI runs the phases side by side).
describe('uncaught errors in a server process', { timeout: 30_000 }, () => {
  it('an unhandled rejection is logged with the marker the test servers fail on, and the process goes on', () => {
    const { output, status } = runWithHandlers(
      "Promise.reject(new Error('stray promise')); setTimeout(() => console.log('still here'), 50);",
    );
    expect(status).toBe(0);
    expect(output).toContain('still here');
    expect(() => assertNoProcessErrors(output)).toThrow(
      /stray promise.*"kind":"unhandledRejection","msg":"uncaught error"/s,
    );
  });

  it('an uncaught exception is logged with the marker and stops the process', () => {
    const { output, status } = runWithHandlers(
      "setTimeout(() => { throw new Error('thrown on a timer'); }, 0);",
    );
    expect(status).toBe(3);
    expect(() => assertNoProcessErrors(output)).toThrow(
      /thrown on a timer.*"kind":"uncaughtException","msg":"uncaught error"/s,
    );
  });

  it('a clean output passes', () => {
    expect(() => assertNoProcessErrors(runWithHandlers("console.log('fine');").output)).not.toThrow();
  });
});
