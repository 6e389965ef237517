import { PHASE_PRODUCTION_SERVER } from 'next/constants.js';
import { sourceHash } from './scripts/sourceHash.mjs';

// Plain JavaScript, not next.config.ts: Next compiles a TypeScript config with SWC and loads the
// `typescript` package on every server start to do it (~0.5 s of CPU per start, measured).

/** @type {(phase: string) => import('next').NextConfig} */
export default function nextConfig(phase) {
  // The built server needs no id: it is stamped on the build (and checked by server.ts at start).
  const buildId = phase === PHASE_PRODUCTION_SERVER ? undefined : sourceHash(import.meta.dirname);
  return {
    // The agent SDK spawns a binary that sits next to its own module file, so it must
    // never be bundled; better-sqlite3 is a native addon.
    serverExternalPackages: ['@anthropic-ai/claude-agent-sdk', 'better-sqlite3'],
    poweredByHeader: false,
    reactStrictMode: true,
    // One id for the build and the code inside it, checked against server.ts's own (see runtime.ts).
    ...(buildId && { generateBuildId: () => buildId, env: { CLAUDEOPS_BUILD_ID: buildId } }),
    // `npm test` runs `tsc --noEmit` right after the build, .next/types included (scripts/test.mjs).
    typescript: { ignoreBuildErrors: process.env.CLAUDEOPS_SKIP_BUILD_TYPECHECK === '1' },
  };
}
