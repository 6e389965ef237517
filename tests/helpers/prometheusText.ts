/** A strict reader of Prometheus' text exposition format, for tests of what /metrics answers. */

export interface ExpositionSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const VALUE = /^(NaN|[+-]Inf|[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** Reads a label set `{a="x",b="y\"z"}` from the start of `text`; returns it and what follows. */
function parseLabels(text: string, line: string): [Record<string, string>, string] {
  const labels: Record<string, string> = {};
  let rest = text.slice(1);
  while (!rest.startsWith('}')) {
    const name = LABEL_NAME.exec(rest)?.[0];
    if (!name || rest[name.length] !== '=' || rest[name.length + 1] !== '"')
      throw new Error(`bad label in: ${line}`);
    rest = rest.slice(name.length + 2);
    let value = '';
    for (;;) {
      const char = rest[0];
      if (char === undefined) throw new Error(`unterminated label value in: ${line}`);
      rest = rest.slice(1);
      if (char === '"') break;
      if (char === '\n') throw new Error(`raw newline in a label value: ${line}`);
      if (char !== '\\') {
        value += char;
        continue;
      }
      const escaped = rest[0];
      rest = rest.slice(1);
      if (escaped === '\\') value += '\\';
      else if (escaped === '"') value += '"';
      else if (escaped === 'n') value += '\n';
      else throw new Error(`bad escape \\${escaped} in: ${line}`);
    }
    if (name in labels) throw new Error(`label ${name} twice in: ${line}`);
    labels[name] = value;
    if (rest.startsWith(',')) rest = rest.slice(1);
    else if (!rest.startsWith('}')) throw new Error(`expected , or } in: ${line}`);
  }
  return [labels, rest.slice(1)];
}

/**
 * The text exposition format 0.0.4, strictly: HELP and TYPE lines at most once per metric and
 * before its samples, `name{labels} value [timestamp]` samples, label values escaped
 * (\\, \", \n only), a newline at the end, empty lines ignored. Every sample's metric must have a TYPE.
 */
export function parseExposition(text: string) {
  if (!text.endsWith('\n')) throw new Error('the exposition does not end with a newline');
  const types = new Map<string, string>();
  const helps = new Map<string, string>();
  const samples: ExpositionSample[] = [];
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue; // the format ignores empty lines
    const comment = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (comment) {
      const [, kind, name = '', rest = ''] = comment;
      if (!METRIC_NAME.test(name)) throw new Error(`bad metric name: ${line}`);
      const seen = kind === 'HELP' ? helps : types;
      if (seen.has(name)) throw new Error(`second ${kind} for ${name}`);
      if (samples.some((sample) => sample.name === name)) throw new Error(`${kind} after samples of ${name}`);
      if (kind === 'TYPE' && !TYPES.has(rest)) throw new Error(`bad type: ${line}`);
      if (kind === 'HELP' && /\\[^\\n]/.test(rest.replace(/\\\\/g, '')))
        throw new Error(`bad HELP escape: ${line}`);
      seen.set(name, rest);
      continue;
    }
    if (line.startsWith('#') || line.trim() === '')
      throw new Error(`unexpected line: ${JSON.stringify(line)}`);
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0] ?? '';
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) [labels, rest] = parseLabels(rest, line);
    const [value = '', timestamp, ...extra] = rest.startsWith(' ') ? rest.slice(1).split(' ') : [];
    if (!VALUE.test(value) || extra.length > 0 || (timestamp !== undefined && !/^-?\d+$/.test(timestamp)))
      throw new Error(`bad sample: ${line}`);
    if (!types.has(name)) throw new Error(`sample without TYPE: ${line}`);
    samples.push({ name, labels, value: Number(value) });
  }
  return { types, helps, samples };
}

/** The value of the sample with exactly these labels; undefined when there is none. */
export const sampleValue = (samples: ExpositionSample[], name: string, labels: Record<string, string> = {}) =>
  samples.find(
    (sample) =>
      sample.name === name &&
      Object.keys(sample.labels).length === Object.keys(labels).length &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  )?.value;
