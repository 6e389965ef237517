import { spawnSync } from 'node:child_process';
import { benchCostQueries } from './costQueries';
import { type E2eStack, startE2eStack } from './e2eStack';
import { benchEngineStores } from './engineStores';
import { benchHealthReportCost } from './healthReport';
import { benchJobQueues } from './jobQueues';
import { benchLiveAcross } from './liveAcross';
import { benchLivePath } from './livePath';
import { benchLiveRuns } from './liveRuns';
import { benchLogReads } from './logReads';
import { benchLogWrites } from './logWrites';
import { type BenchResult, report } from './measure';
import { benchMetrics } from './metrics';
import { benchNotifications } from './notifications';
import { benchQueryLayer } from './queryLayer';
import { benchRunClaims } from './runClaims';
import { benchRunList } from './runList';
import { benchScheduler } from './scheduler';
import { benchServerStart } from './serverStart';
import { smoke } from './smoke';
import { benchSoak } from './soak';
import { benchSpawnBlock } from './spawnBlock';
import { benchUsageEvents } from './usageEvents';
import { benchWorkerHosts } from './workerHosts';
import { benchWorkflows } from './workflows';

/** In process, against a temporary database. */
const inProcess: Record<string, () => BenchResult[] | Promise<BenchResult[]>> = {
  logWrites: benchLogWrites,
  logReads: benchLogReads,
  usageEvents: benchUsageEvents,
  costQueries: benchCostQueries,
  runList: benchRunList,
  workflows: benchWorkflows,
  notifications: benchNotifications,
  metrics: benchMetrics,
  scheduler: benchScheduler,
  spawnBlock: benchSpawnBlock,
  // Each its own throw-away Postgres cluster (and, for the job queues and live lines, worker processes).
  queryLayer: benchQueryLayer,
  jobQueues: benchJobQueues,
  liveAcross: benchLiveAcross,
  runClaims: benchRunClaims,
  engineStores: benchEngineStores,
};
/** Against the production build, each starting its own servers. */
const onBuild: Record<string, () => Promise<void>> = {
  serverStart: benchServerStart,
  workerHosts: benchWorkerHosts,
};
/** End to end, on one stack: the real server (production build), the real SDK, Debian's Chromium. */
const endToEnd: Record<string, (stack: E2eStack) => Promise<void>> = {
  livePath: benchLivePath,
  liveRuns: benchLiveRuns,
  healthReport: benchHealthReportCost,
  soak: benchSoak,
};

// `npm run bench -- --only scheduler,liveRuns` runs those alone.
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt === -1 ? null : new Set(process.argv[onlyAt + 1]?.split(','));
const known = [...Object.keys(inProcess), ...Object.keys(onBuild), ...Object.keys(endToEnd)];
const unknown = [...(only ?? [])].filter((name) => !known.includes(name));
if (unknown.length > 0) {
  console.error(`Unknown benchmark ${unknown.join(', ')}; known: ${known.join(', ')}`);
  process.exit(2);
}
const selected = (name: string) => only === null || only.has(name);

// Every benchmark measures its baseline in the same run: these machines are noisy.
console.log(
  `ClaudeOps benchmarks${smoke ? ' (smoke: tiny sizes, figures mean nothing)' : ''} · Node ${process.version} · ${new Date().toISOString()}\n`,
);
const timed = async (name: string, bench: () => unknown) => {
  const started = performance.now();
  await bench();
  console.log(`(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
};
for (const [name, bench] of Object.entries(inProcess))
  if (selected(name)) await timed(name, async () => report(await bench()));

if ([...Object.keys(onBuild), ...Object.keys(endToEnd)].some(selected)) {
  for (const script of [['scripts/ensure-chromium.sh'], ['scripts/build-if-needed.mjs']]) {
    const [file] = script;
    const result = spawnSync(file?.endsWith('.sh') ? 'bash' : process.execPath, script, { stdio: 'inherit' });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
}
for (const [name, bench] of Object.entries(onBuild)) if (selected(name)) await timed(name, bench);
if (Object.keys(endToEnd).some(selected)) {
  const stack = await startE2eStack();
  try {
    for (const [name, bench] of Object.entries(endToEnd))
      if (selected(name)) await timed(name, () => bench(stack));
  } finally {
    await stack.stop();
  }
}
process.exit(0);
