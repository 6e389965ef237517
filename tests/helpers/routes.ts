import fs from 'node:fs';
import path from 'node:path';

/** Routes and pages found on disk, so a test that must cover "every route" cannot miss a new one. */

export interface ApiRoute {
  method: string;
  /** e.g. /api/agents/[id] */
  template: string;
  /** Dynamic segment names, e.g. ['id']. */
  dynamic: string[];
  /** Whether the handler is built with route() and which inputs its spec declares. */
  wrapped: boolean;
  inputs: { params: boolean; query: boolean; body: boolean };
}

/** Every exported handler under app/api, found on disk so a new route is fuzzed without edits here. */
export function discoverApiRoutes(root: string): ApiRoute[] {
  const appDir = path.join(root, 'app');
  const routes: ApiRoute[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
        continue;
      }
      if (entry.name !== 'route.ts') continue;
      const segments = path
        .relative(appDir, dir)
        .split(path.sep)
        .filter((segment) => !/^\(.*\)$/.test(segment));
      const template = `/${segments.join('/')}`;
      const dynamic = segments.flatMap((s) => (/^\[.+\]$/.test(s) ? [s.slice(1, -1)] : []));
      const source = fs.readFileSync(full, 'utf8');
      for (const [, method] of source.matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)) {
        if (!method) continue;
        // `export const GET = route({...})`, or `export const GET = handler` with `const handler = route({...})`.
        const alias = new RegExp(`export const ${method}\\s*=\\s*(\\w+)\\s*;`).exec(source)?.[1];
        const spec = new RegExp(
          `(?:export )?const ${alias ?? method}\\s*=\\s*route\\(\\s*\\{([^}]*)\\}`,
        ).exec(source);
        const specText = spec?.[1] ?? '';
        routes.push({
          method,
          template,
          dynamic,
          wrapped: spec !== null,
          inputs: spec
            ? {
                params: /\bparams\s*:/.test(specText),
                query: /\bquery\s*:/.test(specText),
                body: /\bbody\s*:/.test(specText),
              }
            : // Not built with route(): assume it reads everything it could.
              { params: dynamic.length > 0, query: true, body: ['POST', 'PUT', 'PATCH'].includes(method) },
        });
      }
    }
  };
  walk(path.join(appDir, 'api'));
  return routes.sort((a, b) => `${a.template} ${a.method}`.localeCompare(`${b.template} ${b.method}`));
}

/** Fills every dynamic segment of a template with one (already percent-encoded) segment. */
export function fillTemplate(template: string, segment: string): string {
  return template
    .split('/')
    .map((part) => (/^\[.+\]$/.test(part) ? segment : part))
    .join('/');
}

/** Every page under app/, as a URL path with dynamic segments filled with `1`. */
export function discoverPages(root: string): string[] {
  const appDir = path.join(root, 'app');
  const pages: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name));
      else if (entry.name === 'page.tsx') {
        const segments = path
          .relative(appDir, dir)
          .split(path.sep)
          .filter((segment) => segment !== '' && !/^\(.*\)$/.test(segment))
          .map((segment) => (segment.startsWith('[') ? '1' : segment));
        pages.push(`/${segments.join('/')}`);
      }
    }
  };
  walk(appDir);
  return pages.sort();
}
