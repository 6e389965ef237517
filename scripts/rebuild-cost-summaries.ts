// `npm run costs:rebuild`: recomputes the monthly and daily cost summaries from the raw cost rows
// and prints every summary row that was wrong. Safe while ClaudeOps runs: one transaction, and
// runs recorded meanwhile wait for it (SQLite's busy timeout) rather than interleave.

import { env } from '../src/lib/config/env';
import { microsToUsd } from '../src/lib/contracts/executions';
import { openDatabase } from '../src/lib/db';
import { applyMigrations } from '../src/lib/db/migrate';
import { transactionOnSqlite } from '../src/lib/db/plan';
import { rebuildCostSummaries, type SummaryDrift } from '../src/lib/db/queries/costSummaryRebuild';

const usd = (micros: number) => `$${microsToUsd(micros).toFixed(6)}`;

function describeDrift(drift: SummaryDrift): string {
  const figures = (side: SummaryDrift['before']) =>
    side ? `${side.executionCount} runs ${usd(side.costMicros)}` : 'absent';
  return (
    `  ${drift.change.padEnd(8)} ${drift.table} ${drift.period} agent ${drift.agentId} ${drift.model}: ` +
    `${figures(drift.before)} → ${figures(drift.after)} (${drift.columns.join(', ')})`
  );
}

const handle = openDatabase(env().databasePath);
applyMigrations(handle);
const started = Date.now();
const report = transactionOnSqlite(handle.db, (tx) => rebuildCostSummaries(tx));
handle.sqlite.close();

console.log(`Cost summaries rebuilt from ${handle.path} in ${Date.now() - started} ms.`);
for (const [table, counts] of Object.entries(report.tables)) {
  console.log(
    `${table}: ${counts.rowsBefore} rows before, ${counts.rowsAfter} after; ` +
      `${counts.added} added, ${counts.removed} removed, ${counts.changed} changed`,
  );
}
if (report.drift.length === 0) console.log('No drift: the summaries matched the cost rows.');
else {
  console.log(`Drift found and fixed in ${report.drift.length} rows:`);
  for (const drift of report.drift) console.log(describeDrift(drift));
}
