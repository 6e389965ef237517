import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_DOC, renderApiDoc } from '../../scripts/apiDoc';
import { DATA_MODEL_DOC, renderDataModel } from '../../scripts/dataModelDoc';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MARKDOWN = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs')).flatMap((name) => (name.endsWith('.md') ? [`docs/${name}`] : [])),
];

/** Markdown outside fenced code blocks and inline code, where a link is a link. */
function prose(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const withoutFences = text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const [, heading] of withoutFences.matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const plain = (heading ?? '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = plain
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

function relativeLinks(file: string): string[] {
  const text = prose(readFileSync(path.join(ROOT, file), 'utf8'));
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map(([, target]) => target ?? '')
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe('documentation', () => {
  it(`${DATA_MODEL_DOC} is what npm run docs:data-model writes from the schema now`, () => {
    const committed = readFileSync(path.join(ROOT, DATA_MODEL_DOC), 'utf8');
    expect(committed, `${DATA_MODEL_DOC} is stale: run \`npm run docs:data-model\` and commit it`).toBe(
      renderDataModel(ROOT),
    );
  });

  it(`the route table in ${API_DOC} is what npm run docs:api writes from the routes now`, () => {
    const committed = readFileSync(path.join(ROOT, API_DOC), 'utf8');
    expect(committed, `${API_DOC} is stale: run \`npm run docs:api\` and commit it`).toBe(renderApiDoc(ROOT));
  });

  it.each(MARKDOWN)('every relative link in %s points at an existing file and heading', (file) => {
    const broken: string[] = [];
    for (const link of relativeLinks(file)) {
      const [target = '', anchor] = link.split('#');
      const resolved =
        target === '' ? path.join(ROOT, file) : path.resolve(path.dirname(path.join(ROOT, file)), target);
      if (!existsSync(resolved)) {
        broken.push(`${link}: no such file`);
        continue;
      }
      if (anchor && resolved.endsWith('.md') && statSync(resolved).isFile()) {
        if (!anchorsOf(readFileSync(resolved, 'utf8')).has(anchor)) broken.push(`${link}: no such heading`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('README.md stays a five-minute read (under 250 lines)', () => {
    const lines = readFileSync(path.join(ROOT, 'README.md'), 'utf8').trimEnd().split('\n').length;
    expect(lines).toBeLessThan(250);
  });
});
