import { INPUT_NAME_SOURCE, STEP_KEY_SOURCE } from '../contracts/workflows';

/**
 * Prompt templates of workflow steps. Three references and nothing else: no expressions, no
 * helpers, no code. Values are looked up, never evaluated.
 *
 *   {{input.<field>}}               an input value of the run
 *   {{steps.<key>.result}}          a step's final result text
 *   {{steps.<key>.output.<path>}}   a value inside a step's structured output (objects as JSON)
 *
 * Only `{{…}}` starting with `input` or `step` is a reference (and must be a valid one); other
 * double braces (`${{ secrets.X }}`, Helm, Jinja) stay literal text, since prompts quote such code.
 */
export type TemplateRef =
  | { kind: 'input'; field: string }
  | { kind: 'result'; step: string }
  | { kind: 'output'; step: string; path: string[] };

export type TemplatePart = { text: string } | { ref: TemplateRef };

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
    const ref = parseReference(body);
    if (ref) {
      parsed.parts.push({ ref });
      parsed.references.push(ref);
    } else {
      // Kept as text so rendering stays total; validation refuses to save it.
      pushText(tag);
      parsed.errors.push({ tag, message: `${tag} is not a reference: ${USAGE}` });
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

export interface RenderedTemplate {
  text: string;
  /** References with no value (rendered as ''), as written: `steps.a.output.title`. */
  missing: string[];
}

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

export function renderTemplate(template: ParsedTemplate, values: TemplateValues): RenderedTemplate {
  const missing: string[] = [];
  let text = '';
  for (const part of template.parts) {
    if ('text' in part) {
      text += part.text;
      continue;
    }
    const value = lookUp(part.ref, values);
    if (value === undefined) missing.push(referenceText(part.ref));
    else text += typeof value === 'string' ? value : JSON.stringify(value);
  }
  return { text, missing };
}
