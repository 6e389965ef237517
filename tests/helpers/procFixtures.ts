import fs from 'node:fs';
import path from 'node:path';
import { type FsStats, type HostSource, systemSource } from '../../src/lib/metrics/hostSource';

const FIXTURES = path.join(import.meta.dirname, '../fixtures/proc');

export type FixtureName = 'host-a' | 'host-b' | 'host-c' | 'host-d' | 'mixed';

function capturedStatfs(name: FixtureName): Record<string, FsStats> {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name, 'statfs.json'), 'utf8'));
}

/**
 * A HostSource reading captured /proc and statfs data (tests/fixtures/proc/README.md). `show`
 * switches to another capture, as if the machine had moved on; `statfs` can be replaced to make
 * a mount hang.
 */
export function fixtureSource(first: FixtureName) {
  let current = first;
  let statfsOf: HostSource['statfs'] = async (mountPoint) => {
    const stats = capturedStatfs(current)[mountPoint];
    if (!stats) throw Object.assign(new Error(`ENOENT: statfs '${mountPoint}'`), { code: 'ENOENT' });
    return stats;
  };
  const source: HostSource = {
    readText: (file) => systemSource(path.join(FIXTURES, current)).readText(file),
    list: (directory) => systemSource(path.join(FIXTURES, current)).list(directory),
    statfs: (mountPoint) => statfsOf(mountPoint),
  };
  return {
    source,
    show(name: FixtureName) {
      current = name;
    },
    /** Wraps the captured statfs, e.g. to hold one mount's answer back. */
    wrapStatfs(wrap: (captured: HostSource['statfs']) => HostSource['statfs']) {
      statfsOf = wrap(statfsOf);
    },
  };
}
