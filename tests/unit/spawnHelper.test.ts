import { once } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { type HelperChild, spawnViaHelper } from '../../src/lib/claude/spawnHelper';

// The spawn helper on real processes: what the SDK sees of a child started through it must be what
// it sees of one it starts itself (stdin, stdout, stderr, exit, errors, kill).

const sh = (script: string) =>
  spawnViaHelper({
    command: 'sh',
    args: ['-c', script],
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? '' },
    signal: new AbortController().signal,
  });

async function outputOf(
  child: HelperChild,
): Promise<{ out: string; err: string; code: number | null; signal: string | null }> {
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  return { out, err, code, signal };
}

describe('the spawn helper', () => {
  it('hands the child its stdin and the SDK all of its output, the first line written at once included, then its exit', async () => {
    const child = sh('echo at-once; read line; echo "got $line"; echo oops >&2; exit 3');
    child.stdin.end('hello\n');
    expect(await outputOf(child)).toEqual({
      out: 'at-once\ngot hello\n',
      err: 'oops\n',
      code: 3,
      signal: null,
    });
    expect(child.exitCode).toBe(3);
    expect(child.pid).toBeGreaterThan(0);
  });

  it('keeps 20 children started at once apart', async () => {
    const children = Array.from({ length: 20 }, (_, i) => sh(`cat; echo " child-${i}"`));
    children.forEach((child, i) => {
      child.stdin.end(`input-${i}`);
    });
    const outputs = await Promise.all(children.map(outputOf));
    expect(outputs.map((output) => output.out)).toEqual(children.map((_, i) => `input-${i} child-${i}\n`));
  });

  it('stops a child with a signal, sent before it started too', async () => {
    const child = sh('exec sleep 30');
    child.kill('SIGTERM');
    expect(await outputOf(child)).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(child.killed).toBe(true);
  });

  it('reports a command that cannot start as an error, then an exit', async () => {
    const child = spawnViaHelper({
      command: '/nonexistent/claude',
      args: [],
      cwd: process.cwd(),
      env: {},
      signal: new AbortController().signal,
    });
    const events: string[] = [];
    child.on('error', (error: NodeJS.ErrnoException) => events.push(`error ${error.code}`));
    child.on('exit', () => events.push('exit'));
    await vi.waitFor(() => expect(events).toEqual(['error ENOENT', 'exit']));
  });
});
