import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // The agent SDK spawns a binary that sits next to its own module file, so it must
  // never be bundled; better-sqlite3 is a native addon.
  serverExternalPackages: ['@anthropic-ai/claude-agent-sdk', 'better-sqlite3'],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
