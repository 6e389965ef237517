// `npm run restore -- <file> [--force]`: puts a backup in place of the database, with the server
// stopped. The database it replaces is kept beside it. See docs/operations.md.
import { env } from '../src/lib/config/env';
import { formatBytes } from '../src/lib/presentation/format';
import { acquireInstanceLock } from '../src/lib/server/instanceLock';
import { restoreDatabase } from '../src/lib/storage/backup';

const args = process.argv.slice(2);
const force = args.includes('--force');
const [backup] = args.filter((arg) => arg !== '--force');
if (!backup) {
  console.error('Usage: npm run restore -- <backup file> [--force]   (with ClaudeOps stopped)');
  process.exit(2);
}
const { databasePath } = env();
try {
  // No server may use the database while it is replaced: one that does holds this lock, and is named.
  const release = acquireInstanceLock(databasePath);
  const report = await restoreDatabase(backup, databasePath, { force }).finally(release);
  if (report.keptAs) console.log(`The database that was there is kept as ${report.keptAs}`);
  console.log(
    `Restored ${report.from} to ${report.to}: ${formatBytes(report.bytes)} in ${report.durationMs} ms. Start ClaudeOps: npm start`,
  );
} catch (error) {
  console.error(`Restore failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
