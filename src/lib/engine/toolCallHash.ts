import crypto from 'node:crypto';

/** JSON with object keys sorted at every depth: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * What an approval, its signed links and its one-shot allow are bound to: the tool and its exact
 * input. A link or an allow for `rm -rf build` is worth nothing for `rm -rf /`.
 */
export function toolCallHash(toolName: string, input: Record<string, unknown>): string {
  return crypto
    .createHash('sha256')
    .update(`${toolName}\n${canonicalJson(input)}`)
    .digest('hex');
}
