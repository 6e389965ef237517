import type { ErrorIssue } from '@/lib/contracts/errors';
import { type RunIf, WORKFLOW_DEFAULTS, type WorkflowDto } from '@/lib/contracts/workflows';
import type { WorkflowAgentContext } from '@/lib/workflows/validate';
import { parseLimit, parseNumber } from '../agents/agentFormModel';

/** An agent a step can pick, and whether it answers with structured output (`{{steps.x.output.…}}`). */
export interface EditorAgent {
  id: number;
  name: string;
  structured: boolean;
}

/** What the browser's checks know of the agents: the same checks as the server's, on the page's list. */
export function agentContext(agents: readonly EditorAgent[]): WorkflowAgentContext {
  const structured = new Set(agents.filter((agent) => agent.structured).map((agent) => agent.id));
  return {
    liveAgentIds: new Set(agents.map((agent) => agent.id)),
    hasStructuredOutput: (agentId) => structured.has(agentId),
  };
}

/** Tells rows apart while keys and names are being typed (React's key; never sent). */
let rowCount = 0;
const nextRowId = () => {
  rowCount += 1;
  return rowCount;
};

/** One step's row of the editor: text as typed, converted to the API's shape only on submit. */
export interface StepFormValues {
  rowId: number;
  key: string;
  /** The picked agent's id, '' until one is picked. */
  agentId: string;
  prompt: string;
  dependsOn: string[];
  runIf: RunIf;
  /** Empty: the agent's own setting. */
  timeoutSeconds: string;
  runRetries: string;
  approvalTimeoutMinutes: string;
}

export interface InputFormValues {
  rowId: number;
  name: string;
  label: string;
  required: boolean;
  default: string;
}

export interface WorkflowFormValues {
  name: string;
  description: string;
  maxCostUsd: string;
  maxParallel: string;
  inputs: InputFormValues[];
  steps: StepFormValues[];
}

export const STEP_FIELDS = [
  'key',
  'agentId',
  'prompt',
  'dependsOn',
  'runIf',
  'timeoutSeconds',
  'runRetries',
  'approvalTimeoutMinutes',
] as const;
export type StepField = (typeof STEP_FIELDS)[number];
export const INPUT_FIELDS = ['name', 'label', 'required', 'default'] as const;
export type InputField = (typeof INPUT_FIELDS)[number];
const TOP_FIELDS = ['name', 'description', 'maxCostUsd', 'maxParallel', 'inputs', 'steps'] as const;

/**
 * Messages by where they show: a top-level field (`name`), a step's field (`steps.2.dependsOn`),
 * an input field's (`inputs.0.name`), or `form` for what belongs to none.
 */
export type WorkflowFormErrors = Record<string, string>;

export const stepErrorKey = (index: number, field: StepField) => `steps.${index}.${field}`;
export const inputErrorKey = (index: number, field: InputField) => `inputs.${index}.${field}`;

/** The first key not yet taken: `step1`, `step2`… */
export function freshKey(steps: readonly StepFormValues[]): string {
  const taken = new Set(steps.map((step) => step.key));
  let n = steps.length + 1;
  while (taken.has(`step${n}`)) n += 1;
  return `step${n}`;
}

export function newStep(steps: readonly StepFormValues[], agentId = ''): StepFormValues {
  return {
    rowId: nextRowId(),
    key: freshKey(steps),
    agentId,
    prompt: '',
    dependsOn: [],
    runIf: 'success',
    timeoutSeconds: '',
    runRetries: '',
    approvalTimeoutMinutes: '',
  };
}

export const newInput = (): InputFormValues => ({
  rowId: nextRowId(),
  name: '',
  label: '',
  required: false,
  default: '',
});

export function valuesFromWorkflow(workflow?: WorkflowDto): WorkflowFormValues {
  if (!workflow) {
    return {
      name: '',
      description: WORKFLOW_DEFAULTS.description,
      maxCostUsd: '',
      maxParallel: String(WORKFLOW_DEFAULTS.maxParallel),
      inputs: [],
      steps: [newStep([])],
    };
  }
  return {
    name: workflow.name,
    description: workflow.description,
    maxCostUsd: workflow.maxCostUsd === null ? '' : String(workflow.maxCostUsd),
    maxParallel: String(workflow.maxParallel),
    inputs: workflow.inputs.map((field) => ({
      rowId: nextRowId(),
      name: field.name,
      label: field.label ?? '',
      required: field.required,
      default: field.default ?? '',
    })),
    steps: workflow.steps.map((step) => ({
      rowId: nextRowId(),
      key: step.key,
      agentId: String(step.agentId),
      prompt: step.prompt,
      dependsOn: [...step.dependsOn],
      runIf: step.runIf,
      timeoutSeconds: step.timeoutSeconds === undefined ? '' : String(step.timeoutSeconds),
      runRetries: step.runRetries === undefined ? '' : String(step.runRetries),
      approvalTimeoutMinutes:
        step.approvalTimeoutMinutes === undefined ? '' : String(step.approvalTimeoutMinutes),
    })),
  };
}

/** The raw request body, before the shared schema and checks validate it. */
export function toWorkflowDraft(values: WorkflowFormValues): Record<string, unknown> {
  return {
    name: values.name,
    description: values.description,
    maxCostUsd: parseLimit(values.maxCostUsd),
    maxParallel: parseNumber(values.maxParallel),
    inputs: values.inputs.map((field) => ({
      name: field.name,
      required: field.required,
      ...(field.label.trim() === '' ? {} : { label: field.label }),
      ...(field.default === '' ? {} : { default: field.default }),
    })),
    steps: values.steps.map((step) => ({
      key: step.key,
      // 0 is no agent: the schema answers "Pick an agent".
      agentId: step.agentId === '' ? 0 : Number(step.agentId),
      prompt: step.prompt,
      dependsOn: step.dependsOn,
      runIf: step.runIf,
      timeoutSeconds: parseNumber(step.timeoutSeconds),
      runRetries: parseNumber(step.runRetries),
      approvalTimeoutMinutes: parseNumber(step.approvalTimeoutMinutes),
    })),
  };
}

const isStepField = (value: string): value is StepField => (STEP_FIELDS as readonly string[]).includes(value);
const isInputField = (value: string): value is InputField =>
  (INPUT_FIELDS as readonly string[]).includes(value);

/** Where an issue shows: `steps.2.dependsOn.0` beside step 2's depends-on picker, and so on. */
function errorKeyOf(path: string): string {
  const [head = '', index, field = ''] = path.split('.');
  if (index !== undefined && head === 'steps' && isStepField(field))
    return stepErrorKey(Number(index), field);
  if (index !== undefined && head === 'inputs' && isInputField(field))
    return inputErrorKey(Number(index), field);
  return (TOP_FIELDS as readonly string[]).includes(head) ? head : 'form';
}

/** One message per place, the first issue for it (the browser's checks and the API's alike). */
export function errorsFromIssues(issues: readonly ErrorIssue[]): WorkflowFormErrors {
  const errors: WorkflowFormErrors = {};
  for (const issue of issues) {
    const key = errorKeyOf(issue.path);
    errors[key] ??= issue.message;
  }
  return errors;
}

/** A step renamed: the steps that depended on its old key follow it. */
export function renameStep(steps: readonly StepFormValues[], index: number, key: string): StepFormValues[] {
  const old = steps[index]?.key;
  return steps.map((step, i) => {
    if (i === index) return { ...step, key };
    if (old === undefined || old === '' || !step.dependsOn.includes(old)) return step;
    return { ...step, dependsOn: step.dependsOn.map((dep) => (dep === old ? key : dep)) };
  });
}

/** A step removed: nothing depends on it any more. */
export function removeStep(steps: readonly StepFormValues[], index: number): StepFormValues[] {
  const gone = steps[index]?.key;
  return steps
    .filter((_, i) => i !== index)
    .map((step) => ({ ...step, dependsOn: step.dependsOn.filter((dep) => dep !== gone) }));
}

/** The steps another may depend on: every other step with a key. */
export const dependencyChoices = (steps: readonly StepFormValues[], index: number): string[] =>
  steps.flatMap((step, i) => (i === index || step.key.trim() === '' ? [] : [step.key]));
