import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The global setup of every test run (Vitest and Playwright): one temp directory for the run,
 * removed when it ends. Every temp dir a test makes through `os.tmpdir()` (SQLite files, servers'
 * data dirs, browser profiles, throw-away clusters) lands in it, and so does what the processes the
 * tests start write to `TMPDIR`: a run leaves nothing behind, not even for a test that forgets to
 * clean up or a server killed with -9. Before, runs left their dirs in /tmp and filled the disk.
 */
export default function tempRoot(): () => void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-run-'));
  // Others may pass through, not list: a throw-away cluster runs as the postgres user (root may not
  // run Postgres) in a dir of its own under here.
  fs.chmodSync(root, 0o711);
  // Read by os.tmpdir() in this process and in the workers and servers started after it.
  process.env.TMPDIR = root;
  // A killed worker host's last agent can still be writing its config in its dir while this runs
  // (seen once as ENOTEMPTY): removal tries again for a few seconds.
  return () => fs.rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
}
