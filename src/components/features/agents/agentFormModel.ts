import { AGENT_DEFAULTS, type AgentDto } from '@/lib/contracts/agents';
import { fieldErrors, type IssuePath } from '@/lib/presentation/fieldErrors';

/** What the form's inputs hold: text, converted to the API's shape only on submit. */
export interface AgentFormValues {
  name: string;
  description: string;
  model: string;
  systemPrompt: string;
  defaultPrompt: string;
  allowedTools: string;
  deniedTools: string;
  additionalDirectories: string;
  requiredLabels: string;
  unlistedTools: string;
  approvalTimeoutMinutes: string;
  onApprovalTimeout: string;
  workingDirectory: string;
  maxTurns: string;
  timeoutSeconds: string;
  maxConcurrentRuns: string;
  apiMaxRetries: string;
  runRetries: string;
  runRetryDelaySeconds: string;
  maxCostPerRunUsd: string;
  monthlyBudgetUsd: string;
}

export type AgentField = keyof AgentFormValues;

export const AGENT_FIELDS: readonly AgentField[] = [
  'name',
  'description',
  'model',
  'systemPrompt',
  'defaultPrompt',
  'allowedTools',
  'deniedTools',
  'additionalDirectories',
  'requiredLabels',
  'unlistedTools',
  'approvalTimeoutMinutes',
  'onApprovalTimeout',
  'workingDirectory',
  'maxTurns',
  'timeoutSeconds',
  'maxConcurrentRuns',
  'apiMaxRetries',
  'runRetries',
  'runRetryDelaySeconds',
  'maxCostPerRunUsd',
  'monthlyBudgetUsd',
];

/** Messages by field; `form` holds what belongs to no single field. */
export type FormErrors = Partial<Record<AgentField | 'form', string>>;

export function valuesFromAgent(agent?: AgentDto): AgentFormValues {
  return {
    name: agent?.name ?? '',
    description: agent?.description ?? AGENT_DEFAULTS.description,
    model: agent?.model ?? '',
    systemPrompt: agent?.systemPrompt ?? AGENT_DEFAULTS.systemPrompt,
    defaultPrompt: agent?.defaultPrompt ?? '',
    allowedTools: (agent?.allowedTools ?? AGENT_DEFAULTS.allowedTools).join('\n'),
    deniedTools: (agent?.deniedTools ?? AGENT_DEFAULTS.deniedTools).join('\n'),
    additionalDirectories: (agent?.additionalDirectories ?? AGENT_DEFAULTS.additionalDirectories).join('\n'),
    requiredLabels: (agent?.requiredLabels ?? AGENT_DEFAULTS.requiredLabels).join(', '),
    unlistedTools: agent?.unlistedTools ?? AGENT_DEFAULTS.unlistedTools,
    approvalTimeoutMinutes: String(agent?.approvalTimeoutMinutes ?? AGENT_DEFAULTS.approvalTimeoutMinutes),
    onApprovalTimeout: agent?.onApprovalTimeout ?? AGENT_DEFAULTS.onApprovalTimeout,
    workingDirectory: agent?.workingDirectory ?? '',
    maxTurns: String(agent?.maxTurns ?? AGENT_DEFAULTS.maxTurns),
    timeoutSeconds: String(agent?.timeoutSeconds ?? AGENT_DEFAULTS.timeoutSeconds),
    maxConcurrentRuns: String(agent?.maxConcurrentRuns ?? AGENT_DEFAULTS.maxConcurrentRuns),
    apiMaxRetries: String(agent?.apiMaxRetries ?? AGENT_DEFAULTS.apiMaxRetries),
    runRetries: String(agent?.runRetries ?? AGENT_DEFAULTS.runRetries),
    runRetryDelaySeconds: String(agent?.runRetryDelaySeconds ?? AGENT_DEFAULTS.runRetryDelaySeconds),
    maxCostPerRunUsd: String(agent?.maxCostPerRunUsd ?? ''),
    monthlyBudgetUsd: String(agent?.monthlyBudgetUsd ?? ''),
  };
}

/**
 * Comma- or newline-separated rules; blanks dropped. A comma inside parentheses belongs to the
 * rule (`Bash(git diff a,b)`), so only top-level commas split.
 */
export function parseToolList(text: string): string[] {
  const rules: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth += 1;
    else if (char === ')') depth = Math.max(0, depth - 1);
    if (char === '\n' || (char === ',' && depth === 0)) {
      rules.push(current);
      current = '';
      depth = 0;
    } else current += char;
  }
  rules.push(current);
  return rules.map((rule) => rule.trim()).filter((rule) => rule !== '');
}

/** One directory per line; blanks dropped. */
export function parseLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** Comma- or newline-separated labels; blanks dropped (a label with a space inside is left for the schema to refuse). */
export function parseLabels(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((label) => label.trim())
    .filter((label) => label !== '');
}

/** An empty number field means "leave as is / use the default"; anything else must parse. */
export function parseNumber(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text);
}

/** A spending limit: empty means none. */
export function parseLimit(text: string): number | null {
  return text.trim() === '' ? null : Number(text);
}

/** The raw request body, before the shared schema validates (and trims) it. */
export function toAgentInput(values: AgentFormValues): Record<string, unknown> {
  const workingDirectory = values.workingDirectory.trim();
  return {
    name: values.name,
    description: values.description,
    model: values.model,
    systemPrompt: values.systemPrompt,
    defaultPrompt: values.defaultPrompt,
    allowedTools: parseToolList(values.allowedTools),
    deniedTools: parseToolList(values.deniedTools),
    additionalDirectories: parseLines(values.additionalDirectories),
    requiredLabels: parseLabels(values.requiredLabels),
    unlistedTools: values.unlistedTools,
    approvalTimeoutMinutes: parseNumber(values.approvalTimeoutMinutes),
    onApprovalTimeout: values.onApprovalTimeout,
    workingDirectory: workingDirectory === '' ? null : workingDirectory,
    maxTurns: parseNumber(values.maxTurns),
    timeoutSeconds: parseNumber(values.timeoutSeconds),
    maxConcurrentRuns: parseNumber(values.maxConcurrentRuns),
    apiMaxRetries: parseNumber(values.apiMaxRetries),
    runRetries: parseNumber(values.runRetries),
    runRetryDelaySeconds: parseNumber(values.runRetryDelaySeconds),
    maxCostPerRunUsd: parseLimit(values.maxCostPerRunUsd),
    monthlyBudgetUsd: parseLimit(values.monthlyBudgetUsd),
  };
}

const isField = (key: string): key is AgentField => (AGENT_FIELDS as readonly string[]).includes(key);

/** The items of the fields that hold lists, as the form sends them. */
function listItems(field: AgentField, values: AgentFormValues): string[] | undefined {
  if (field === 'allowedTools' || field === 'deniedTools') return parseToolList(values[field]);
  if (field === 'additionalDirectories') return parseLines(values.additionalDirectories);
  if (field === 'requiredLabels') return parseLabels(values.requiredLabels);
  return undefined;
}

/** Issues by field; a bad rule, directory or label is named, since the field holds a list. */
export function errorsFromIssues(
  issues: readonly { path: IssuePath; message: string }[],
  values: AgentFormValues,
): FormErrors {
  return fieldErrors(issues, isField, (field, index) => listItems(field, values)?.[index]);
}
