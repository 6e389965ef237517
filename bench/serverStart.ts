import fs from 'node:fs';
import { BEARER, startAppServer } from '../tests/helpers/appServer';
import { sized } from './smoke';
import { percentile } from './stats';

/** The ways to start the production server, compared in one run, alternated round by round. */
const STARTS = {
  'from source (node --import tsx server.ts), the baseline': ['--import', 'tsx', 'server.ts'],
  'the bundle (npm start)': undefined,
} satisfies Record<string, string[] | undefined>;

/** CPU seconds (user + system) a live process has used: fields 14 and 15 of /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface StartSample {
  listeningMs: number;
  cpuAtListening: number;
  firstPageMs: number;
  cpuAfterFirstPage: number;
}

async function startOnce(entry: string[] | undefined): Promise<StartSample> {
  const started = performance.now();
  // No agent runs: the model server is never called.
  const app = await startAppServer({ modelServerUrl: 'http://127.0.0.1:9', ...(entry && { entry }) });
  try {
    const listeningMs = performance.now() - started;
    const pid = app.process.pid ?? 0;
    const cpuAtListening = cpuSeconds(pid);
    const pageAt = performance.now();
    const page = await fetch(`${app.url}/`, { headers: BEARER });
    await page.text();
    if (!page.ok) throw new Error(`the dashboard answered ${page.status}`);
    return {
      listeningMs,
      cpuAtListening,
      firstPageMs: performance.now() - pageAt,
      cpuAfterFirstPage: cpuSeconds(pid),
    };
  } finally {
    await app.stop();
  }
}

const p50 = (values: number[]) => percentile(values, 50);

/**
 * A server start, as an operator's restart (and every test file's server) pays it: the time until it
 * listens, its CPU by then, and the first page after it (routes load on their first request).
 */
export async function benchServerStart(): Promise<void> {
  const rounds = sized(8, 1);
  const samples = new Map<string, StartSample[]>(Object.keys(STARTS).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++)
    for (const [name, entry] of Object.entries(STARTS)) samples.get(name)?.push(await startOnce(entry));

  const rows = [...samples].map(([name, list]) => ({
    name,
    listening: p50(list.map((s) => s.listeningMs)),
    cpu: p50(list.map((s) => s.cpuAtListening)),
    firstPage: p50(list.map((s) => s.firstPageMs)),
    cpuAfterPage: p50(list.map((s) => s.cpuAfterFirstPage)),
  }));
  console.log(`Server start, p50 of ${rounds} alternated rounds (a fresh data dir each):`);
  for (const row of rows)
    console.log(
      `  ${row.name.padEnd(56)} listening ${row.listening.toFixed(0).padStart(5)} ms, CPU ${row.cpu.toFixed(2)} s; first page ${row.firstPage.toFixed(0).padStart(4)} ms, CPU then ${row.cpuAfterPage.toFixed(2)} s`,
    );
  const [baseline, bundle] = rows;
  if (baseline && bundle)
    console.log(
      `  the bundle: ×${(baseline.listening / bundle.listening).toFixed(2)} sooner listening, ×${(baseline.cpuAfterPage / bundle.cpuAfterPage).toFixed(2)} less CPU to the first page`,
    );
}
