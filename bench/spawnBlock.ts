// Why the server's event loop stalls now and then (issue 23's p99): starting a Claude Code
// process. `child_process.spawn` forks the whole server before exec, on the event loop, so the
// time grows with the process's resident memory; two runs starting together stall twice. Measured
// here on the real bundled binary: the spawn call's own time (the loop is blocked for all of it)
// at this process's size (the baseline, in the same run) and with 300 and 600 MiB more resident,
// about what a server holding Next, its routes and a few runs reaches; and the same start through
// the spawn helper (src/lib/claude/spawnHelper.ts), which the server uses.
import { spawn } from 'node:child_process';
import { bundledClaudeCode } from '../src/lib/claude/bundledBinary';
import { spawnViaHelper, startSpawnHelper } from '../src/lib/claude/spawnHelper';
import type { BenchResult } from './measure';
import { sized } from './smoke';

const SPAWNS = sized(10, 2);
const MIB = 1024 * 1024;

/** The time each start call holds the event loop: a spawn here, or a request to the helper. */
async function spawnTimes(
  start: () => { once(event: 'exit', listener: () => void): unknown },
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < SPAWNS; i += 1) {
    const started = performance.now();
    const child = start();
    times.push(performance.now() - started);
    await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  }
  return times;
}

export async function benchSpawnBlock(): Promise<BenchResult[]> {
  const binary = bundledClaudeCode();
  if (!binary) throw new Error('the Claude Code binary bundled with the SDK is missing (npm ci)');
  const resident: Buffer[] = [];
  const rss = () => `${Math.round(process.memoryUsage().rss / MIB)} MiB resident`;
  const direct = () => spawn(binary, ['--version'], { stdio: 'ignore' });
  const helped = () => {
    const child = spawnViaHelper({
      command: binary,
      args: ['--version'],
      env: { ...process.env },
      signal: new AbortController().signal,
    });
    child.stdin.end();
    child.stdout.resume();
    child.stderr.resume();
    return child;
  };
  startSpawnHelper();
  const baseline = { name: `spawn of Claude Code, ${rss()} (baseline)`, samplesMs: await spawnTimes(direct) };
  const results: BenchResult[] = [
    baseline,
    {
      name: '  through the spawn helper (what the server does)',
      samplesMs: await spawnTimes(helped),
      baseline,
    },
  ];
  for (const extra of [300, 600]) {
    // Written to, so the pages are resident (a fork copies the page tables of what is mapped).
    while (resident.length < extra) resident.push(Buffer.alloc(MIB, 1));
    const samplesMs = await spawnTimes(direct);
    results.push({ name: `  the same, ${rss()}`, samplesMs, baseline });
    results.push({
      name: `  through the spawn helper, ${rss()}`,
      samplesMs: await spawnTimes(helped),
      baseline,
    });
  }
  return results;
}
