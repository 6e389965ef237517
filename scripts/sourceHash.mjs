// The build id: a hash of every source the server and the compiled pages are made from. Next
// stamps it on the build (generateBuildId, and CLAUDEOPS_BUILD_ID inlined into the routes);
// server.ts computes it again at start. Equal ids mean the custom server and the compiled routes
// run the same code; `npm start` rebuilds when they differ.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const SOURCES = ['app', 'src', 'server.ts', 'next.config.mjs', 'package-lock.json', 'tsconfig.json'];

function files(entry) {
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (!stat) return [];
  if (!stat.isDirectory()) return [entry];
  return fs
    .readdirSync(entry)
    .sort()
    .flatMap((name) => files(path.join(entry, name)));
}

/** @param {string} root the project's root folder */
export function sourceHash(root) {
  const hash = createHash('sha256');
  for (const file of SOURCES.flatMap((source) => files(path.join(root, source)))) {
    hash.update(path.relative(root, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 20);
}

/** The id of the production build in `.next`, or null when there is none. */
export function builtId(root) {
  const file = path.join(root, '.next', 'BUILD_ID');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : null;
}
