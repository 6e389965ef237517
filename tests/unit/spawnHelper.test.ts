import { once } from 'node:events';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { EXECUTION_ENV_MARKER, INSTANCE_ENV_MARKER } from '../../src/lib/claude/client';
import { type HelperChild, spawnViaHelper, stopAgentsWhenSilent } from '../../src/lib/claude/spawnHelper';

// The spawn helper on real processes: what the SDK sees of a child started through it must be what
// it sees of one it starts itself (stdin, stdout, stderr, exit, errors, kill).

const sh = (script: string, env: Record<string, string> = {}) =>
  spawnViaHelper({
    command: 'sh',
    args: ['-c', script],
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? '', ...env },
    signal: new AbortController().signal,
  });

/** Whether a process runs (a killed one whose parent is gone may linger as a zombie: not running). */
function runs(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

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

  it('kills its children and their trees once this process goes silent while watched (a paused worker), not before', async () => {
    const silenced: number[] = [];
    const stopWatching = stopAgentsWhenSilent(3_000, (agents) => silenced.push(agents));
    try {
      // An agent whose tool left its process group: found by the markers in its environment.
      const child = sh('setsid sleep 30 & echo $!; wait', {
        [EXECUTION_ENV_MARKER]: '4242',
        [INSTANCE_ENV_MARKER]: `/tmp/spawn-helper-test-${process.pid}.db`,
      });
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      const toolPid = Number(line.toString().trim());
      expect(runs(toolPid)).toBe(true);

      // Alive, this process keeps its children however long they run.
      await sleep(1_500);
      expect(child.exitCode).toBeNull();
      expect(child.signalCode).toBeNull();

      // Silent for 5 s (the thread blocked, as a SIGSTOP would): the helper kills them meanwhile.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5_000);
      const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGKILL' });
      expect(runs(toolPid)).toBe(false);
      await vi.waitFor(() => expect(silenced).toEqual([1]));
    } finally {
      stopWatching();
    }
    // Unwatched, a silence kills nothing.
    const after = sh('exec sleep 30');
    await once(after, 'spawn');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1_500);
    await sleep(300);
    expect(after.exitCode).toBeNull();
    after.kill('SIGKILL');
    await once(after, 'exit');
  });
});
