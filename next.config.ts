import type { NextConfig } from 'next';
import { sourceHash } from './scripts/sourceHash.mjs';

const buildId = sourceHash(import.meta.dirname);

const nextConfig: NextConfig = {
  // The agent SDK spawns a binary that sits next to its own module file, so it must
  // never be bundled; better-sqlite3 is a native addon.
  serverExternalPackages: ['@anthropic-ai/claude-agent-sdk', 'better-sqlite3'],
  poweredByHeader: false,
  reactStrictMode: true,
  // One id for the build and the code inside it, checked against server.ts's own (see runtime.ts).
  generateBuildId: () => buildId,
  env: { CLAUDEOPS_BUILD_ID: buildId },
  // `npm test` runs `tsc --noEmit` right after the build, .next/types included (scripts/test.mjs).
  typescript: { ignoreBuildErrors: process.env.CLAUDEOPS_SKIP_BUILD_TYPECHECK === '1' },
};

export default nextConfig;
