import { INPUT_NAME_SOURCE, STEP_KEY_SOURCE } from '../contracts/workflows';

/**
 * Prompt templates of workflow steps. Three references and nothing else: no expressions, no
 * helpers, no code. Values are looked up, never evaluated.
 *
 *   {{input.<field>}}               an input value of the run
 *   {{steps.<key>.result}}          a step's final result text
 *   {{steps.<key>.output.<path>}}   a value inside a step's structured output (objects as JSON)
 *
 * A reference with no value (a step that failed or was skipped, a path its output lacks) is an
 * error, unless it names a default: `{{steps.a.output.x | default: "none"}}` (a JSON string,
 * without braces). Only `{{…}}` starting with `input` or `step` is a reference (and must be a
 * valid one); other double braces (`${{ secrets.X }}`, Helm, Jinja) stay literal text, since
 * prompts quote such code.
 */
export type TemplateRef =
  | { kind: 'input'; field: string }
  | { kind: 'result'; step: string }
  | { kind: 'output'; step: string; path: string[] };

/** `fallback`: the default the tag names, used when the reference has no value; null for none. */
export type TemplatePart = { text: string } | { ref: TemplateRef; fallback: string | null };

export interface TemplateError {
  /** The tag as written, e.g. `{{steps.a.reslt}}`. */
  tag: string;
  message: string;
}

export interface ParsedTemplate {
  parts: TemplatePart[];
  references: TemplateRef[];
  errors: TemplateError[];
}

const TAG = /\{\{\s*((?:input|step)[^{}]*?)\s*\}\}/g;
const INPUT_REF = new RegExp(`^input\\.(${INPUT_NAME_SOURCE})$`);
const RESULT_REF = new RegExp(`^steps\\.(${STEP_KEY_SOURCE})\\.result$`);
const OUTPUT_REF = new RegExp(`^steps\\.(${STEP_KEY_SOURCE})\\.output((?:\\.[A-Za-z0-9_-]+)+)$`);

const USAGE = 'use {{input.<field>}}, {{steps.<key>.result}} or {{steps.<key>.output.<path>}}';
/** `<reference> | default: "<text>"`: the default a JSON string. */
const WITH_DEFAULT = /^(.*?)\s*\|\s*default:\s*(.*)$/s;
const JSON_STRING = /^"(?:[^"\\]|\\.)*"$/s;

/** A tag's body as a reference and its default; a message when it is neither. */
function parseTag(body: string): { ref: TemplateRef; fallback: string | null } | { message: string } {
  const withDefault = WITH_DEFAULT.exec(body);
  const ref = parseReference(withDefault?.[1] ?? body);
  if (!ref) return { message: USAGE };
  if (!withDefault) return { ref, fallback: null };
  const literal = withDefault[2] ?? '';
  if (!JSON_STRING.test(literal)) return { message: 'a default is a quoted string: | default: "none"' };
  return { ref, fallback: JSON.parse(literal) as string };
}

function parseReference(body: string): TemplateRef | null {
  const input = INPUT_REF.exec(body);
  if (input?.[1]) return { kind: 'input', field: input[1] };
  const result = RESULT_REF.exec(body);
  if (result?.[1]) return { kind: 'result', step: result[1] };
  const output = OUTPUT_REF.exec(body);
  if (output?.[1] && output[2])
    return { kind: 'output', step: output[1], path: output[2].slice(1).split('.') };
  return null;
}

export function parseTemplate(source: string): ParsedTemplate {
  const parsed: ParsedTemplate = { parts: [], references: [], errors: [] };
  const pushText = (text: string) => {
    if (text === '') return;
    const last = parsed.parts.at(-1);
    if (last && 'text' in last) last.text += text;
    else parsed.parts.push({ text });
  };
  let from = 0;
  for (const match of source.matchAll(TAG)) {
    const [tag, body = ''] = match;
    pushText(source.slice(from, match.index));
    from = match.index + tag.length;
    const part = parseTag(body);
    if ('ref' in part) {
      parsed.parts.push(part);
      parsed.references.push(part.ref);
    } else {
      // Kept as text so rendering stays total; validation refuses to save it.
      pushText(tag);
      parsed.errors.push({ tag, message: `${tag} is not a reference: ${part.message}` });
    }
  }
  pushText(source.slice(from));
  return parsed;
}

/** The reference as written between the braces. */
export function referenceText(ref: TemplateRef): string {
  if (ref.kind === 'input') return `input.${ref.field}`;
  if (ref.kind === 'result') return `steps.${ref.step}.result`;
  return `steps.${ref.step}.output.${ref.path.join('.')}`;
}

/** What an ended step offers to later templates. */
export interface StepValues {
  result: string | null;
  output: unknown;
}

export interface TemplateValues {
  input: Readonly<Record<string, string>>;
  /** Only steps that ran; a step left out (skipped, not run yet) renders its references empty. */
  steps: ReadonlyMap<string, StepValues>;
}

/** A rendered prompt, or why there is none (no text of an over-long prompt is ever built). */
export type RenderedTemplate =
  | {
      ok: true;
      text: string;
      /** References with no value that their default stood in for, as written: `steps.a.output.title`. */
      missing: string[];
    }
  | {
      ok: false;
      /** References with no value and no default. */
      missing: string[];
      /** The length the prompt would have, when it is over `maxLength` (else null). */
      length: number | null;
    };

/** Own properties and array indexes only: a path never reaches a prototype. */
function valueAt(root: unknown, path: readonly string[]): unknown {
  let current = root;
  for (const segment of path) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) current = current[Number(segment)];
    else if (typeof current === 'object' && current !== null && Object.hasOwn(current, segment))
      current = (current as Record<string, unknown>)[segment];
    else return undefined;
  }
  return current;
}

function lookUp(ref: TemplateRef, values: TemplateValues): unknown {
  if (ref.kind === 'input')
    return Object.hasOwn(values.input, ref.field) ? values.input[ref.field] : undefined;
  const step = values.steps.get(ref.step);
  if (ref.kind === 'result') return step?.result ?? undefined;
  return step?.output === undefined || step.output === null ? undefined : valueAt(step.output, ref.path);
}

/**
 * The prompt, built only once its length is known to fit `maxLength`: the pieces are first
 * collected as references to the strings they come from (a value repeated 5,000 times is one
 * string), and joined last. A reference with no value and no default fails the render.
 */
export function renderTemplate(
  template: ParsedTemplate,
  values: TemplateValues,
  maxLength = Number.POSITIVE_INFINITY,
): RenderedTemplate {
  const pieces: string[] = [];
  const defaulted: string[] = [];
  const unresolved: string[] = [];
  // Objects are written as JSON once per reference, however often it repeats.
  const written = new Map<string, string>();
  let length = 0;
  for (const part of template.parts) {
    let piece: string;
    if ('text' in part) piece = part.text;
    else {
      const name = referenceText(part.ref);
      const value = lookUp(part.ref, values);
      if (value === undefined) {
        if (part.fallback === null) {
          unresolved.push(name);
          continue;
        }
        defaulted.push(name);
        piece = part.fallback;
      } else if (typeof value === 'string') piece = value;
      else {
        piece = written.get(name) ?? JSON.stringify(value);
        written.set(name, piece);
      }
    }
    length += piece.length;
    if (length <= maxLength) pieces.push(piece);
  }
  if (unresolved.length > 0 || length > maxLength)
    return { ok: false, missing: unresolved, length: length > maxLength ? length : null };
  return { ok: true, text: pieces.join(''), missing: defaulted };
}

/** Why a step's prompt could not be rendered, naming the step, the references, the limit. */
export function renderFailure(
  stepKey: string,
  failure: Extract<RenderedTemplate, { ok: false }>,
  maxLength: number,
): string {
  const problems: string[] = [];
  if (failure.missing.length > 0) {
    const [first = ''] = failure.missing;
    problems.push(
      `${failure.missing.map((name) => `{{${name}}}`).join(', ')} ${failure.missing.length === 1 ? 'has' : 'have'} no value ` +
        `(give a default if that can happen: {{${first} | default: "none"}})`,
    );
  }
  if (failure.length !== null) {
    problems.push(
      `its prompt would be ${failure.length.toLocaleString('en-US')} characters, over the limit of ${maxLength.toLocaleString('en-US')}`,
    );
  }
  return `Step "${stepKey}": ${problems.join('; ')}`;
}
