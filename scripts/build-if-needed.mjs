// Builds the Next app when there is no production build yet, or when it was built from other
// sources (see sourceHash.mjs), so `npm start` works on a fresh clone and never serves a stale build.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { builtId, sourceHash } from './sourceHash.mjs';

const root = path.resolve(import.meta.dirname, '..');
const built = builtId(root);

if (built === sourceHash(root)) {
  console.log('Production build is up to date.');
} else {
  console.log(built === null ? 'No production build yet: building…' : 'Sources changed: rebuilding…');
  const result = spawnSync('npx', ['next', 'build'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  process.exit(result.status ?? 1);
}
