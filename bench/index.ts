import { benchCostQueries } from './costQueries';
import { benchLogWrites } from './logWrites';
import { report } from './measure';
import { benchMetrics } from './metrics';

// Every benchmark measures its baseline in the same run: these machines are noisy.
console.log(`ClaudeOps benchmarks · Node ${process.version} · ${new Date().toISOString()}\n`);
report(benchLogWrites());
report(benchCostQueries());
report(await benchMetrics());
