// The production server is one JavaScript file: server.ts and the project modules it imports,
// bundled by esbuild beside the Next build. Run from source, `node --import tsx server.ts` compiles
// TypeScript through tsx's loader on every start; the bundle starts with ~1.5 s less CPU (measured
// in docs/architecture.md#the-server). Packages stay external: Node loads them from node_modules.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sourceHash } from './sourceHash.mjs';

/** Where the bundle is written, relative to the project's root. */
export const SERVER_BUNDLE = path.join('.next', 'claudeops', 'server.mjs');
const ID_FILE = path.join('.next', 'claudeops', 'BUILD_ID');

/** The build id the bundle was made from, or null when there is none. */
export function bundledId(root) {
  const file = path.join(root, ID_FILE);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : null;
}

/**
 * Each module keeps its own `import.meta.dirname` (the migrations sit beside migrate.ts, the project
 * root beside server.ts): the bundle computes it from its own location, so the folder can move.
 */
function sourceDirname(outDir) {
  return {
    name: 'source-dirname',
    setup(build) {
      build.onLoad({ filter: /\.(ts|mjs)$/ }, async (args) => {
        const source = await fs.promises.readFile(args.path, 'utf8');
        if (!source.includes('import.meta.dirname')) return undefined;
        const fromBundle = `${path.relative(outDir, path.dirname(args.path)) || '.'}/`;
        return {
          contents: source.replaceAll('import.meta.dirname', `__sourceDir(${JSON.stringify(fromBundle)})`),
          loader: args.path.endsWith('.ts') ? 'ts' : 'js',
        };
      });
    },
  };
}

/** Bundles server.ts, stamping it with the build id of the sources it was made from. */
export async function bundleServer(root, buildId = sourceHash(root)) {
  const { build } = await import('esbuild');
  const outfile = path.join(root, SERVER_BUNDLE);
  await build({
    entryPoints: [path.join(root, 'server.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    tsconfig: path.join(root, 'tsconfig.json'),
    // server.ts takes the id from here instead of hashing every source at each start.
    define: { 'process.env.CLAUDEOPS_BUNDLED_BUILD_ID': JSON.stringify(buildId) },
    banner: {
      js: "import { fileURLToPath as __fileURLToPath } from 'node:url';\nconst __sourceDir = (fromBundle) => __fileURLToPath(new URL(fromBundle, import.meta.url)).replace(/\\/$/, '');",
    },
    plugins: [sourceDirname(path.dirname(outfile))],
    logLevel: 'warning',
  });
  fs.writeFileSync(path.join(root, ID_FILE), `${buildId}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await bundleServer(path.resolve(import.meta.dirname, '..'));
}
