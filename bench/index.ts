import { benchCostQueries } from './costQueries';
import { benchLogWrites } from './logWrites';
import { report } from './measure';
import { benchScheduler } from './scheduler';

// Every benchmark measures its baseline in the same run: these machines are noisy.
console.log(`ClaudeOps benchmarks · Node ${process.version} · ${new Date().toISOString()}\n`);
report(benchLogWrites());
report(benchCostQueries());
report(benchScheduler());
