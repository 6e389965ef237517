// `npm test`: every check and test layer, run in parallel where they do not depend on each other,
// then a table of how long each phase took. Lint and the unit tests need no build, so they run
// while `next build` does; typecheck, integration and e2e start once the build is there.
// A failing phase fails `npm test` but the phases that do not need it go on, so one run shows every
// failure; `npm test -- --bail` stops everything at the first. The table prints either way.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { childrenCpuSeconds } from './shellTimes.mjs';
import { failures, fileTimes } from './testReports.mjs';

const root = path.resolve(import.meta.dirname, '..');
/** The test runners' JSON reports, read for the slowest files at the end. */
const reports = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-test-reports-'));
const vitest = (project) =>
  `npx vitest run --project ${project} --reporter=default --reporter=json --outputFile=${reports}/${project}.json`;

/** name, command, the phases it waits for. */
const PHASES = [
  { name: 'lint', command: 'npm run --silent lint', needs: [] },
  { name: 'unit', command: vitest('unit'), needs: ['lint'] },
  // Throw-away Postgres clusters (tests/postgres): the server binaries first, installed if need be.
  { name: 'postgres', command: `bash scripts/ensure-postgres.sh && ${vitest('postgres')}`, needs: ['lint'] },
  // The build skips its own type check (see next.config.mjs): the typecheck phase runs after it, so
  // `tsc` also checks the route types the build writes into .next/types.
  {
    name: 'build',
    command: 'node scripts/build-if-needed.mjs',
    needs: [],
    env: { CLAUDEOPS_SKIP_BUILD_TYPECHECK: '1' },
  },
  { name: 'typecheck', command: 'npm run --silent typecheck', needs: ['build'] },
  // One file runs the server on a throw-away Postgres cluster (DATABASE_URL).
  {
    name: 'integration',
    command: `bash scripts/ensure-postgres.sh && ${vitest('integration')}`,
    needs: ['build'],
  },
  { name: 'integration-long', command: vitest('integration-long'), needs: ['build'] },
  {
    name: 'e2e',
    command:
      'bash scripts/ensure-chromium.sh && bash scripts/ensure-postgres.sh && npx playwright test --reporter=list,json',
    needs: ['build'],
    env: { PLAYWRIGHT_JSON_OUTPUT_NAME: `${reports}/e2e.json` },
  },
];

const env = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: '1',
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
  // Colours survive the pipe that prefixes each line.
  FORCE_COLOR: process.env.NO_COLOR ? '0' : (process.env.FORCE_COLOR ?? '1'),
};

const width = Math.max(...PHASES.map((p) => p.name.length));
const started = performance.now();
/** @type {Map<string, {status: 'running'|'passed'|'failed'|'stopped'|'not run', start?: number, end?: number, child?: import('node:child_process').ChildProcess, tail?: string[]}>} */
const state = new Map(PHASES.map((p) => [p.name, { status: 'not run' }]));
let failed = false;
/** Stop at the first failure (`npm test -- --bail`) instead of running what does not depend on it. */
const bail = process.argv.includes('--bail');
/** Set by a failure under --bail or by Ctrl-C: start nothing more. */
let stopping = false;

/** How many of a phase's last output lines are kept, to show again if it fails. */
const TAIL_LINES = 30;

/** Writes a phase's output prefixed with its name, keeping its last lines in `tail`. */
function prefixLines(name, stream, out, tail) {
  const write = (line) => {
    out.write(`[${name.padEnd(width)}] ${line}\n`);
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
  };
  let pending = '';
  stream.on('data', (chunk) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) write(line);
  });
  stream.on('end', () => {
    if (pending) write(pending);
  });
}

function start(phase) {
  const entry = state.get(phase.name);
  entry.status = 'running';
  entry.start = performance.now();
  // Its own process group, so a stop reaches the servers and browsers the phase started.
  // `times` after the command: the CPU its processes used (user and system), for the table.
  const timed = `${phase.command}; status=$?; times > ${cpuFile(phase.name)}; exit $status`;
  const child = spawn('bash', ['-c', timed], {
    cwd: root,
    env: { ...env, ...phase.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  entry.child = child;
  entry.tail = [];
  prefixLines(phase.name, child.stdout, process.stdout, entry.tail);
  prefixLines(phase.name, child.stderr, process.stderr, entry.tail);
  child.on('close', (code) => {
    entry.end = performance.now();
    entry.child = undefined;
    if (entry.status === 'running') entry.status = code === 0 ? 'passed' : 'failed';
    if (entry.status === 'failed') {
      failed = true;
      if (bail) stopRunning();
    }
    schedule();
  });
}

function stopRunning() {
  stopping = true;
  for (const entry of state.values()) {
    if (entry.status !== 'running' || !entry.child?.pid) continue;
    entry.status = 'stopped';
    try {
      process.kill(-entry.child.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
}

function schedule() {
  if (!stopping) {
    for (const phase of PHASES) {
      const ready = phase.needs.every((need) => state.get(need).status === 'passed');
      if (state.get(phase.name).status === 'not run' && ready) start(phase);
    }
  }
  if ([...state.values()].every((entry) => entry.child === undefined)) finish();
}

/** The phases that write a JSON report of their tests. */
const TEST_LAYERS = ['unit', 'postgres', 'integration', 'integration-long', 'e2e'];
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const cpuFile = (name) => path.join(reports, `${name}.times`);

/** The CPU time (ms, user + system) of a phase's processes, or undefined if it did not get that far. */
function cpuMs(name) {
  const file = cpuFile(name);
  if (!fs.existsSync(file)) return undefined;
  const seconds = childrenCpuSeconds(fs.readFileSync(file, 'utf8'));
  return seconds === undefined ? undefined : seconds * 1000;
}

/** A layer's JSON report (Vitest's or Playwright's), or undefined if the layer did not write one. */
function readReport(layer) {
  const file = path.join(reports, `${layer}.json`);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
}

/** A stack frame in the test runner's own code, which says nothing about the failure. */
const RUNNER_FRAME = /^\s*at .*(node_modules|<anonymous>)/;

/**
 * Every failure again after the interleaved output of the parallel phases, so the end of a CI log
 * (often all that is kept) says what failed and why: each failed test from the phase's report, or
 * (a check, or a runner that failed with every test passing, as on an unhandled error) the phase's
 * last lines.
 */
function printFailures(linesEach = 12) {
  for (const phase of PHASES) {
    const entry = state.get(phase.name);
    if (entry.status !== 'failed') continue;
    const report = TEST_LAYERS.includes(phase.name) ? readReport(phase.name) : undefined;
    const failed = report ? failures(report, root) : [];
    for (const [where, why] of failed) {
      console.log(`\nFAILED (${phase.name}) ${where}`);
      const ours = why.split('\n').filter((line) => !RUNNER_FRAME.test(line));
      for (const line of ours.slice(0, linesEach)) console.log(`  ${line}`);
    }
    if (failed.length > 0) continue;
    console.log(`\nFAILED (${phase.name}), its last lines:`);
    for (const line of entry.tail ?? []) console.log(`  ${line}`);
  }
}

/** The slowest files of each test layer: where to look when the suite gets slow. */
function printSlowestFiles(count = 5) {
  for (const layer of TEST_LAYERS) {
    const report = readReport(layer);
    const times = (report ? fileTimes(report, root) : []).sort((a, b) => b[1] - a[1]);
    if (times.length === 0) continue;
    const shown = times.slice(0, count).map(([file, ms]) => `${file} ${seconds(ms)}`);
    console.log(`slowest ${layer} files (of ${times.length}): ${shown.join(', ')}`);
  }
}

function finish() {
  printFailures();
  console.log('');
  printSlowestFiles();
  const cpu = new Map(PHASES.map((phase) => [phase.name, cpuMs(phase.name)]));
  fs.rmSync(reports, { recursive: true, force: true });
  const rows = PHASES.map((phase) => {
    const entry = state.get(phase.name);
    const ran = entry.start !== undefined && entry.end !== undefined;
    const used = cpu.get(phase.name);
    return [
      phase.name,
      entry.status,
      ran ? seconds(entry.start - started) : '',
      ran ? seconds(entry.end - entry.start) : '',
      used === undefined ? '' : seconds(used),
    ];
  });
  const cpuTotal = [...cpu.values()].reduce((sum, ms) => sum + (ms ?? 0), 0);
  rows.push([
    'total',
    failed ? 'failed' : 'passed',
    '',
    seconds(performance.now() - started),
    seconds(cpuTotal),
  ]);
  const header = ['phase', 'result', 'started at', 'took', 'CPU'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) =>
    cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(line(row));
  // No layout of the phases can take less wall time than this: the work's CPU spread over every core.
  const cores = os.availableParallelism();
  console.log(
    `CPU ${seconds(cpuTotal)} on ${cores} cores: at least ${seconds(cpuTotal / cores)} of wall time`,
  );
  process.exitCode = failed ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    failed = true;
    stopRunning();
  });
}

schedule();
