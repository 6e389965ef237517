// Builds the Next app and bundles the server when there is no production build yet, or when they
// were built from other sources (see sourceHash.mjs), so `npm start` works on a fresh clone and never
// serves a stale build.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { bundledId, bundleServer } from './serverBundle.mjs';
import { builtId, sourceHash } from './sourceHash.mjs';

const root = path.resolve(import.meta.dirname, '..');
const id = sourceHash(root);
const built = builtId(root);

if (built === id && bundledId(root) === id) {
  console.log('Production build is up to date.');
} else {
  if (built !== id) {
    console.log(built === null ? 'No production build yet: building…' : 'Sources changed: rebuilding…');
    const result = spawnSync('npx', ['next', 'build'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
  await bundleServer(root, id);
  console.log(`Server bundled into .next/claudeops/server.mjs (build ${id}).`);
}
