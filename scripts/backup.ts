// `npm run backup -- <file>`: a consistent copy of the database while ClaudeOps runs (SQLite's
// online backup API through a connection of its own). See docs/operations.md.
import { env } from '../src/lib/config/env';
import { formatBytes } from '../src/lib/presentation/format';
import { backupDatabase } from '../src/lib/storage/backup';

const [target] = process.argv.slice(2);
if (!target) {
  console.error(
    'Usage: npm run backup -- <file>   (the database is DATABASE_PATH, or CLAUDEOPS_DATA_DIR/claudeops.db)',
  );
  process.exit(2);
}
try {
  const report = await backupDatabase(env().databasePath, target);
  console.log(
    `Backed up ${report.from} to ${report.to}: ${formatBytes(report.bytes)} (${report.pages} pages) in ${report.durationMs} ms, checked.`,
  );
} catch (error) {
  console.error(`Backup failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
