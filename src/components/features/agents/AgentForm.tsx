'use client';

import { useRouter } from 'next/navigation';
import { type ChangeEvent, type FormEvent, useState } from 'react';
import { ApprovalTimeoutInput } from '@/components/features/approvals/ApprovalTimeoutInput';
import { Disclosure } from '@/components/ui/Disclosure';
import {
  errorIdOf,
  Form,
  FormField,
  type FormFieldProps,
  FormFooter,
  FormGrid,
} from '@/components/ui/FormParts';
import { useFormSubmission } from '@/hooks/useFormSubmission';
import {
  type AgentDto,
  agentResponseSchema,
  createAgentSchema,
  KNOWN_MODELS,
  updateAgentSchema,
} from '@/lib/contracts/agents';
import { apiFetch } from '@/lib/http/client';
import styles from './Agents.module.css';
import {
  AGENT_FIELDS,
  type AgentField,
  type AgentFormValues,
  errorsFromIssues,
  type FormErrors,
  toAgentInput,
  valuesFromAgent,
} from './agentFormModel';

const inputId = (field: AgentField) => `agent-${field}`;

/** The rule syntax, with rules that work as written. */
function RuleSyntax() {
  return (
    <Disclosure summary="Rule syntax" summaryTestId="rule-syntax">
      <ul className={styles.rules}>
        <li>
          <code>Read</code>, <code>Bash</code>: every call of a tool (names start with a capital letter).
        </li>
        <li>
          <code>Bash(cat:*)</code>: commands starting with <code>cat</code> (<code>:*</code> only at the end);{' '}
          <code>Bash(git diff *)</code>: <code>*</code> stands for any text. Claude Code also checks the paths
          a command reads: outside the working directory, add the directory below.
        </li>
        <li>
          <code>Read(./src/**)</code>, <code>{'Read(//etc/**)'}</code>: paths (gitignore patterns;{' '}
          <code>{'//'}</code> starts an absolute one).
        </li>
        <li>
          <code>WebFetch(domain:example.com)</code>: fetches from one domain.
        </li>
        <li>
          <code>mcp__server</code>, <code>mcp__server__tool</code>: an MCP server's tools, or one of them (no
          parentheses).
        </li>
      </ul>
    </Disclosure>
  );
}

function Field({ field, ...props }: { field: AgentField } & Omit<FormFieldProps, 'inputId' | 'errorTestId'>) {
  return <FormField inputId={inputId(field)} errorTestId={`field-error-${field}`} {...props} />;
}

/**
 * Creates an agent, or edits one when `agent` is given. Validates with the API's own schemas
 * before sending, and shows the API's issues (400, 409) beside the same fields.
 */
export function AgentForm({ agent }: { agent?: AgentDto }) {
  const router = useRouter();
  const [values, setValues] = useState<AgentFormValues>(() => valuesFromAgent(agent));
  const { errors, submitting, saved, setSaved, submit, settle } = useFormSubmission<FormErrors>({
    toErrors: (issues) => errorsFromIssues(issues, values),
    firstInvalid: (next) => {
      const first = AGENT_FIELDS.find((field) => next[field] !== undefined);
      return first && inputId(first);
    },
  });

  const bind = (field: AgentField) => ({
    id: inputId(field),
    name: field,
    value: values[field],
    'aria-invalid': errors[field] !== undefined,
    'aria-describedby': errors[field] === undefined ? undefined : errorIdOf(inputId(field)),
    'data-testid': `agent-field-${field}`,
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) => {
      const { value } = event.target;
      setValues((current) => ({ ...current, [field]: value }));
      setSaved(false);
    },
  });

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const input = toAgentInput(values);
    const response = await submit(
      agent ? updateAgentSchema.safeParse(input) : createAgentSchema.safeParse(input),
      (body) =>
        apiFetch(agent ? `/api/agents/${agent.id}` : '/api/agents', {
          method: agent ? 'PATCH' : 'POST',
          body,
          schema: agentResponseSchema,
        }),
    );
    if (!response) return;
    if (agent) {
      setValues(valuesFromAgent(response.agent));
      settle({ saved: true });
      router.refresh();
    } else {
      router.push(`/agents/${response.agent.id}?created=1`);
    }
  };

  return (
    <Form onSubmit={onSubmit} noValidate data-testid="agent-form">
      <FormGrid>
        <Field field="name" label="Name" error={errors.name}>
          <input type="text" autoComplete="off" {...bind('name')} />
        </Field>
        <Field field="model" label="Model" error={errors.model} hint="Pick one or type any model id.">
          <input type="text" list="known-models" autoComplete="off" spellCheck={false} {...bind('model')} />
          <datalist id="known-models">
            {KNOWN_MODELS.map((model) => (
              <option key={model} value={model} />
            ))}
          </datalist>
        </Field>
        <Field field="description" label="Description" error={errors.description} wide>
          <input type="text" {...bind('description')} />
        </Field>
        <Field field="defaultPrompt" label="Default prompt" error={errors.defaultPrompt} wide>
          <textarea rows={4} {...bind('defaultPrompt')} />
        </Field>
        <Field
          field="systemPrompt"
          label="System prompt"
          error={errors.systemPrompt}
          hint="Empty: Claude Code's own system prompt."
          wide
        >
          <textarea rows={4} {...bind('systemPrompt')} />
        </Field>
        <Field
          field="workingDirectory"
          label="Working directory"
          error={errors.workingDirectory}
          hint="Absolute path; empty: a fresh directory per run."
        >
          <input
            type="text"
            spellCheck={false}
            placeholder="/path/to/project"
            {...bind('workingDirectory')}
          />
        </Field>
        <Field field="maxTurns" label="Max turns" error={errors.maxTurns}>
          <input type="number" inputMode="numeric" min={1} max={200} step={1} {...bind('maxTurns')} />
        </Field>
        <Field field="timeoutSeconds" label="Timeout (seconds)" error={errors.timeoutSeconds}>
          <input
            type="number"
            inputMode="numeric"
            min={10}
            max={86_400}
            step={1}
            {...bind('timeoutSeconds')}
          />
        </Field>
        <Field field="maxConcurrentRuns" label="Runs at once" error={errors.maxConcurrentRuns}>
          <input type="number" inputMode="numeric" min={1} max={20} step={1} {...bind('maxConcurrentRuns')} />
        </Field>
        <Field
          field="requiredLabels"
          label="Required worker labels"
          error={errors.requiredLabels}
          hint="Comma separated. Runs start only on a worker started with all of them (WORKER_LABELS); until then they wait queued, saying so. Empty: any worker."
        >
          <input type="text" spellCheck={false} placeholder="gpu, repo-a" {...bind('requiredLabels')} />
        </Field>
        <Field
          field="apiMaxRetries"
          label="API call retries"
          error={errors.apiMaxRetries}
          hint="Claude Code's own retries of one failed API call."
        >
          <input type="number" inputMode="numeric" min={0} max={20} step={1} {...bind('apiMaxRetries')} />
        </Field>
        <Field
          field="runRetries"
          label="Run retries"
          error={errors.runRetries}
          hint="New attempts after a rate limit, overload, server or network failure."
        >
          <input type="number" inputMode="numeric" min={0} max={10} step={1} {...bind('runRetries')} />
        </Field>
        <Field
          field="runRetryDelaySeconds"
          label="Retry delay (seconds)"
          error={errors.runRetryDelaySeconds}
          hint="Doubles per attempt, with jitter."
        >
          <input
            type="number"
            inputMode="numeric"
            min={1}
            max={3_600}
            step={1}
            {...bind('runRetryDelaySeconds')}
          />
        </Field>
        <Field
          field="maxCostPerRunUsd"
          label="Cap per run (USD)"
          error={errors.maxCostPerRunUsd}
          hint="A run is stopped when it reaches this. Empty: no cap."
        >
          <input type="number" inputMode="decimal" min={0} step="any" {...bind('maxCostPerRunUsd')} />
        </Field>
        <Field
          field="monthlyBudgetUsd"
          label="Monthly budget (USD)"
          error={errors.monthlyBudgetUsd}
          hint="No run starts once the month's spend reaches it. Empty: none."
        >
          <input type="number" inputMode="decimal" min={0} step="any" {...bind('monthlyBudgetUsd')} />
        </Field>
      </FormGrid>
      <h3 className={styles.section}>Permissions</h3>
      <RuleSyntax />
      <FormGrid>
        <Field
          field="allowedTools"
          label="Allowed tools"
          error={errors.allowedTools}
          hint="Run without asking. One rule per line (or comma separated)."
        >
          <textarea rows={3} spellCheck={false} {...bind('allowedTools')} />
        </Field>
        <Field
          field="deniedTools"
          label="Denied tools"
          error={errors.deniedTools}
          hint="Always refused, whatever else allows them; never asked about."
        >
          <textarea rows={3} spellCheck={false} {...bind('deniedTools')} />
        </Field>
        <Field
          field="unlistedTools"
          label="Calls no rule covers"
          error={errors.unlistedTools}
          hint="Ask: the run waits (without a process) until someone answers here, in Approvals or from a notification."
        >
          <select {...bind('unlistedTools')}>
            <option value="deny">Deny them</option>
            <option value="ask">Ask a person</option>
          </select>
        </Field>
        <Field
          field="additionalDirectories"
          label="Additional directories"
          error={errors.additionalDirectories}
          hint="Absolute paths besides the working directory that tools may read, one per line (e.g. /etc for Bash(cat:*) on /etc/hostname)."
        >
          <textarea rows={2} spellCheck={false} placeholder="/etc" {...bind('additionalDirectories')} />
        </Field>
        <Field
          field="approvalTimeoutMinutes"
          label="Approval timeout (minutes)"
          error={errors.approvalTimeoutMinutes}
          hint="How long a call waits for an answer. Schedules and workflow steps may set their own."
        >
          <ApprovalTimeoutInput {...bind('approvalTimeoutMinutes')} />
        </Field>
        <Field
          field="onApprovalTimeout"
          label="When nobody answers"
          error={errors.onApprovalTimeout}
          hint="Deny: the model is told and goes on. Fail: the run ends failed (approval_timeout)."
        >
          <select {...bind('onApprovalTimeout')}>
            <option value="deny">Deny the call</option>
            <option value="fail">Fail the run</option>
          </select>
        </Field>
      </FormGrid>
      <FormFooter
        error={errors.form}
        submitting={submitting}
        label={agent ? 'Save changes' : 'Create agent'}
        saved={saved}
        testIds={{ error: 'form-error', save: 'agent-save', saved: 'agent-saved' }}
      />
    </Form>
  );
}
