import { type ErrorIssue, issuesFromZod } from '../contracts/errors';
import {
  type WorkflowDefinition,
  type WorkflowInputField,
  type WorkflowInputValues,
  type WorkflowStep,
  workflowDefinitionSchema,
} from '../contracts/workflows';
import { parseTemplate, referenceText, renderFailure, renderTemplate, type TemplateRef } from './template';

/**
 * Save-time checks that span fields, each an issue whose path names the step and the field
 * (`steps.2.dependsOn.0`). Pure: the editor runs the same checks in the browser as the API does
 * on the server. Nothing is saved while any issue remains.
 */

/** The part of a JSON Schema (an agent's output schema) a reference's path is checked against. */
export interface OutputShape {
  properties?: Record<string, OutputShape>;
  required?: string[];
  items?: OutputShape;
  anyOf?: OutputShape[];
}

/** What the checks need to know about agents; the server reads it from the database. */
export interface WorkflowAgentContext {
  liveAgentIds: ReadonlySet<number>;
  /** Whether the agent returns structured output (so `{{steps.x.output.…}}` can have a value). */
  hasStructuredOutput(agentId: number): boolean;
  /** The agent's output schema, where it is known: a path it cannot have is refused at save time. */
  outputShape?(agentId: number): OutputShape | null;
}

type Steps = WorkflowDefinition['steps'];

/** The first step index of each key; duplicates are reported, not indexed. */
function indexKeys(steps: Steps, issues: ErrorIssue[]): Map<string, number> {
  const byKey = new Map<string, number>();
  steps.forEach((step, i) => {
    const first = byKey.get(step.key);
    if (first === undefined) byKey.set(step.key, i);
    else
      issues.push({ path: `steps.${i}.key`, message: `Duplicate key "${step.key}" (steps.${first} has it)` });
  });
  return byKey;
}

function checkDependencies(steps: Steps, byKey: ReadonlyMap<string, number>, issues: ErrorIssue[]): void {
  steps.forEach((step, i) => {
    if (step.runIf === 'failure' && step.dependsOn.length === 0)
      issues.push({ path: `steps.${i}.runIf`, message: 'runIf "failure" needs a dependency that can fail' });
    step.dependsOn.forEach((dep, j) => {
      const path = `steps.${i}.dependsOn.${j}`;
      if (dep === step.key) issues.push({ path, message: 'A step cannot depend on itself' });
      else if (!byKey.has(dep)) issues.push({ path, message: `Unknown step "${dep}"` });
      else if (step.dependsOn.indexOf(dep) < j) issues.push({ path, message: `"${dep}" is listed twice` });
    });
  });
}

/** The known dependencies of each step, by index (self-edges and unknown keys left out: reported above). */
function dependencyIndexes(steps: Steps, byKey: ReadonlyMap<string, number>): number[][] {
  return steps.map((step, i) =>
    step.dependsOn.flatMap((dep) => {
      const index = byKey.get(dep);
      return index === undefined || index === i ? [] : [index];
    }),
  );
}

/** Each cycle once, named from one of its steps: `a → b → a`. */
function checkCycles(steps: Steps, deps: readonly number[][], issues: ErrorIssue[]): void {
  const state = new Array<'new' | 'open' | 'done'>(steps.length).fill('new');
  const trail: number[] = [];
  const visit = (i: number): void => {
    state[i] = 'open';
    trail.push(i);
    for (const dep of deps[i] ?? []) {
      if (state[dep] === 'open') {
        const cycle = [...trail.slice(trail.indexOf(dep)), dep].map((k) => steps[k]?.key);
        issues.push({ path: `steps.${dep}.dependsOn`, message: `Cycle: ${cycle.join(' → ')}` });
      } else if (state[dep] === 'new') visit(dep);
    }
    trail.pop();
    state[i] = 'done';
  };
  steps.forEach((_, i) => {
    if (state[i] === 'new') visit(i);
  });
}

/** Every step that must have ended before step `i` starts (its transitive dependencies). */
function ancestorsOf(i: number, deps: readonly number[][]): Set<number> {
  const seen = new Set<number>();
  const stack = [...(deps[i] ?? [])];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(deps[next] ?? []));
  }
  return seen;
}

function checkTemplates(
  definition: WorkflowDefinition,
  byKey: ReadonlyMap<string, number>,
  deps: readonly number[][],
  issues: ErrorIssue[],
): void {
  const inputs = new Set(definition.inputs.map((field) => field.name));
  definition.steps.forEach((step, i) => {
    const path = `steps.${i}.prompt`;
    const template = parseTemplate(step.prompt);
    for (const error of template.errors) issues.push({ path, message: error.message });
    const ancestors = ancestorsOf(i, deps);
    for (const ref of template.references) {
      const message = referenceIssue(ref, i, inputs, byKey, ancestors);
      if (message) issues.push({ path, message });
    }
  });
}

function referenceIssue(
  ref: TemplateRef,
  self: number,
  inputs: ReadonlySet<string>,
  byKey: ReadonlyMap<string, number>,
  ancestors: ReadonlySet<number>,
): string | null {
  const tag = `{{${referenceText(ref)}}}`;
  if (ref.kind === 'input')
    return inputs.has(ref.field) ? null : `${tag}: no input field "${ref.field}" is declared`;
  const index = byKey.get(ref.step);
  if (index === undefined) return `${tag}: unknown step "${ref.step}"`;
  if (index === self) return `${tag}: a step cannot use its own result`;
  if (!ancestors.has(index))
    return `${tag}: step "${ref.step}" does not run before this one; add it to dependsOn (directly or through another step)`;
  return null;
}

function checkInputNames(fields: readonly WorkflowInputField[], issues: ErrorIssue[]): void {
  fields.forEach((field, i) => {
    if (fields.findIndex((other) => other.name === field.name) < i)
      issues.push({ path: `inputs.${i}.name`, message: `Duplicate input field "${field.name}"` });
  });
}

/** The checks that need nothing but the definition. */
export function structuralIssues(definition: WorkflowDefinition): ErrorIssue[] {
  const issues: ErrorIssue[] = [];
  checkInputNames(definition.inputs, issues);
  const byKey = indexKeys(definition.steps, issues);
  checkDependencies(definition.steps, byKey, issues);
  const deps = dependencyIndexes(definition.steps, byKey);
  checkCycles(definition.steps, deps, issues);
  checkTemplates(definition, byKey, deps, issues);
  return issues;
}

/**
 * Where a path leads in an output schema: nowhere (what is wrong, and what is there instead), or a
 * value that may be absent (an optional field, a list index) or is always there.
 */
function pathInShape(shape: OutputShape, path: readonly string[]): { issue: string } | { optional: boolean } {
  let current = shape;
  let optional = false;
  for (const [i, segment] of path.entries()) {
    const branches = current.anyOf ?? [current];
    const object = branches.find((branch) => branch.properties);
    const list = branches.find((branch) => branch.items);
    const property =
      object?.properties && Object.hasOwn(object.properties, segment)
        ? object.properties[segment]
        : undefined;
    if (object && property) {
      optional ||= !(object.required ?? []).includes(segment);
      current = property;
    } else if (list?.items && /^\d+$/.test(segment)) {
      optional = true;
      current = list.items;
    } else {
      const where = i === 0 ? 'the output' : `output.${path.slice(0, i).join('.')}`;
      const has = object?.properties
        ? `it has ${Object.keys(object.properties).join(', ')}`
        : list
          ? 'it is a list: use an index, e.g. .0'
          : 'it is a plain value';
      return { issue: `no "${segment}" in ${where} (${has})` };
    }
  }
  return { optional };
}

/** What is wrong with an `output` reference where the agent's output schema is known, or null. */
function outputRefIssue(
  ref: Extract<TemplateRef, { kind: 'output' }>,
  shape: OutputShape,
  hasDefault: boolean,
) {
  const found = pathInShape(shape, ref.path);
  const tag = `{{${referenceText(ref)}}}`;
  if ('issue' in found) return `${tag}: ${found.issue}`;
  if (found.optional && !hasDefault)
    return `${tag} may have no value (the field is optional): give it a default, {{${referenceText(ref)} | default: "none"}}`;
  return null;
}

/** The checks that need to know the agents: each step's agent exists; `output.` only where it can exist. */
export function agentIssues(definition: WorkflowDefinition, context: WorkflowAgentContext): ErrorIssue[] {
  const issues: ErrorIssue[] = [];
  const agentOf = new Map(definition.steps.map((step) => [step.key, step.agentId]));
  definition.steps.forEach((step, i) => {
    const path = `steps.${i}.prompt`;
    if (!context.liveAgentIds.has(step.agentId))
      issues.push({ path: `steps.${i}.agentId`, message: `No agent with id ${step.agentId}` });
    for (const part of parseTemplate(step.prompt).parts) {
      if (!('ref' in part) || part.ref.kind !== 'output') continue;
      const { ref } = part;
      const agentId = agentOf.get(ref.step);
      if (agentId === undefined || !context.liveAgentIds.has(agentId)) continue;
      if (!context.hasStructuredOutput(agentId)) {
        issues.push({
          path,
          message: `{{${referenceText(ref)}}}: the agent of step "${ref.step}" returns no structured output; use {{steps.${ref.step}.result}}`,
        });
        continue;
      }
      const shape = context.outputShape?.(agentId);
      const message = shape ? outputRefIssue(ref, shape, part.fallback !== null) : null;
      if (message) issues.push({ path, message });
    }
  });
  return issues;
}

export function workflowIssues(definition: WorkflowDefinition, context: WorkflowAgentContext): ErrorIssue[] {
  return [...structuralIssues(definition), ...agentIssues(definition, context)];
}

export type DraftCheck = { ok: true; definition: WorkflowDefinition } | { ok: false; issues: ErrorIssue[] };

/** The editor's one call: the shape first, then the checks across fields (and agents, when known). */
export function checkWorkflowDraft(draft: unknown, context?: WorkflowAgentContext): DraftCheck {
  const parsed = workflowDefinitionSchema.safeParse(draft);
  if (!parsed.success) return { ok: false, issues: issuesFromZod(parsed.error) };
  const issues = context ? workflowIssues(parsed.data, context) : structuralIssues(parsed.data);
  return issues.length === 0 ? { ok: true, definition: parsed.data } : { ok: false, issues };
}

/**
 * The prompts of the steps that use the input alone, rendered with a run's input before the run
 * is written: one over the limit (a value repeated thousands of times) refuses the run request,
 * naming the step and the limit. Prompts that use other steps' results are checked at launch.
 */
export function inputPromptIssues(
  steps: readonly WorkflowStep[],
  input: WorkflowInputValues,
  maxLength: number,
): ErrorIssue[] {
  return steps.flatMap((step) => {
    const template = parseTemplate(step.prompt);
    if (template.references.some((ref) => ref.kind !== 'input')) return [];
    const rendered = renderTemplate(template, { input, steps: new Map() }, maxLength);
    return rendered.ok ? [] : [{ path: 'input', message: renderFailure(step.key, rendered, maxLength) }];
  });
}

export interface InputCheck {
  /** Every declared field: the value given, else its default, else ''. */
  values: WorkflowInputValues;
  issues: ErrorIssue[];
}

/** A run's input against the declared fields: unknown names and missing required values are issues (`input.<name>`). */
export function checkRunInput(fields: readonly WorkflowInputField[], given: WorkflowInputValues): InputCheck {
  const issues: ErrorIssue[] = [];
  const declared = new Set(fields.map((field) => field.name));
  for (const name of Object.keys(given)) {
    if (!declared.has(name))
      issues.push({ path: `input.${name}`, message: 'Not an input field of this workflow' });
  }
  const values: WorkflowInputValues = {};
  for (const field of fields) {
    // hasOwn: a field named like an Object.prototype member (`constructor`) must not find it.
    const value = Object.hasOwn(given, field.name) ? given[field.name] : field.default;
    if (field.required && (value === undefined || value.trim() === ''))
      issues.push({ path: `input.${field.name}`, message: `${field.label ?? field.name} is required` });
    values[field.name] = value ?? '';
  }
  return { values, issues };
}
