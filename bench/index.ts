import { spawnSync } from 'node:child_process';
import { benchCostQueries } from './costQueries';
import { benchHealthReportCost } from './healthReport';
import { benchLivePath } from './livePath';
import { benchLogWrites } from './logWrites';
import { report } from './measure';
import { benchMetrics } from './metrics';
import { benchNotifications } from './notifications';
import { benchScheduler } from './scheduler';
import { benchSoak } from './soak';
import { benchWorkflows } from './workflows';

// Every benchmark measures its baseline in the same run: these machines are noisy.
console.log(`ClaudeOps benchmarks · Node ${process.version} · ${new Date().toISOString()}\n`);
report(benchLogWrites());
report(benchCostQueries());
report(benchWorkflows());
report(await benchNotifications());
report(await benchMetrics());
report(await benchScheduler());

// The end-to-end ones run the real server (production build) and Debian's Chromium.
for (const script of [['scripts/ensure-chromium.sh'], ['scripts/build-if-needed.mjs']]) {
  const [file] = script;
  const result = spawnSync(file?.endsWith('.sh') ? 'bash' : process.execPath, script, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
await benchLivePath();
await benchHealthReportCost();
await benchSoak();
process.exit(0);
