import fs from 'node:fs';
import { createRequire } from 'node:module';

const PACKAGE = '@anthropic-ai/claude-agent-sdk';

/** Where the SDK looks for its Claude Code binary: its optional dependency for this platform. */
function candidates(): string[] {
  const { platform, arch } = process;
  const binary = `claude${platform === 'win32' ? '.exe' : ''}`;
  if (platform === 'android') return [`${PACKAGE}-linux-${arch}-android/${binary}`];
  if (platform !== 'linux') return [`${PACKAGE}-${platform}-${arch}/${binary}`];
  // npm installs the one whose `libc` matches; the SDK prefers musl only where glibc is missing.
  return [`${PACKAGE}-linux-${arch}/${binary}`, `${PACKAGE}-linux-${arch}-musl/${binary}`];
}

function find(): string | undefined {
  const require = createRequire(import.meta.url);
  const found = candidates().flatMap((candidate) => {
    try {
      const file = require.resolve(candidate);
      return fs.existsSync(file) ? [file] : [];
    } catch {
      return [];
    }
  });
  // Both installed (not npm's doing): leave the choice to the SDK, as it would make it.
  return found.length === 1 ? found[0] : undefined;
}

let bundled: { path: string | undefined } | undefined;

/**
 * The Claude Code binary the SDK would run, found once per process. Left to the SDK, every
 * query() looks for it again and calls process.report.getReport() to tell glibc from musl: about
 * 140 ms on the event loop at each run's start in the live-runs bench (`npm run bench`).
 */
export function bundledClaudeCode(): string | undefined {
  bundled ??= { path: find() };
  return bundled.path;
}
