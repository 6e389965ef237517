'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import { Button } from '@/components/ui/Button';
import { ErrorText, Form, FormField, FormFooter, FormGrid, Hint } from '@/components/ui/FormParts';
import { useGraphLayout } from '@/hooks/useGraphLayout';
import { type WorkflowDto, workflowResponseSchema } from '@/lib/contracts/workflows';
import { ApiClientError, apiFetch, errorMessage } from '@/lib/http/client';
import { checkWorkflowDraft } from '@/lib/workflows/validate';
import { definitionNodes } from './definitionNodes';
import { fieldFrame, fieldProps } from './editorFields';
import { InputFieldRow } from './InputFieldRow';
import { StepRow } from './StepRow';
import { WorkflowGraph } from './WorkflowGraph';
import styles from './Workflows.module.css';
import {
  agentContext,
  type EditorAgent,
  errorsFromIssues,
  type InputFormValues,
  newInput,
  newStep,
  removeStep,
  renameStep,
  type StepFormValues,
  toWorkflowDraft,
  valuesFromWorkflow,
  type WorkflowFormErrors,
  type WorkflowFormValues,
} from './workflowFormModel';

const replaceAt = <T,>(list: readonly T[], index: number, patch: Partial<T>): T[] =>
  list.map((item, i) => (i === index ? { ...item, ...patch } : item));

/**
 * Creates a workflow, or saves a new version of one. The browser runs the API's own checks (shape,
 * keys, dependencies, cycles, templates, agents) before sending, and shows the server's issues
 * beside the same step and field.
 */
export function WorkflowEditor({ workflow, agents }: { workflow?: WorkflowDto; agents: EditorAgent[] }) {
  const router = useRouter();
  const [values, setValues] = useState<WorkflowFormValues>(() => valuesFromWorkflow(workflow));
  const [errors, setErrors] = useState<WorkflowFormErrors>({});
  const [submitting, setSubmitting] = useState(false);
  const context = useMemo(() => agentContext(agents), [agents]);
  const agentNames = useMemo(() => new Map(agents.map((agent) => [String(agent.id), agent.name])), [agents]);
  const layout = useGraphLayout(values.steps);

  // After a failed submit, the first invalid field takes the focus.
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (Object.keys(errors).length === 0) return;
    form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [errors]);

  const set = (patch: Partial<WorkflowFormValues>) => setValues((current) => ({ ...current, ...patch }));
  const setStep = (index: number, patch: Partial<StepFormValues>) =>
    setValues((current) => ({ ...current, steps: replaceAt(current.steps, index, patch) }));
  const setInput = (index: number, patch: Partial<InputFormValues>) =>
    setValues((current) => ({ ...current, inputs: replaceAt(current.inputs, index, patch) }));

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const check = checkWorkflowDraft(toWorkflowDraft(values), context);
    if (!check.ok) {
      setErrors(errorsFromIssues(check.issues));
      return;
    }
    setErrors({});
    setSubmitting(true);
    try {
      const response = await apiFetch(workflow ? `/api/workflows/${workflow.id}` : '/api/workflows', {
        method: workflow ? 'PATCH' : 'POST',
        body: check.definition,
        schema: workflowResponseSchema,
      });
      router.push(`/workflows/${response.workflow.id}${workflow ? '' : '?created=1'}`);
      router.refresh();
    } catch (error) {
      setSubmitting(false);
      setErrors(
        error instanceof ApiClientError && error.issues.length > 0
          ? errorsFromIssues(error.issues)
          : { form: errorMessage(error) },
      );
    }
  };

  const top = (key: 'name' | 'description' | 'maxCostUsd' | 'maxParallel') => ({
    value: values[key],
    onChange: (event: { target: { value: string } }) => set({ [key]: event.target.value }),
    ...fieldProps(key, errors),
  });

  return (
    <Form ref={form} onSubmit={onSubmit} noValidate data-testid="workflow-form">
      <FormGrid>
        <FormField label="Name" {...fieldFrame('name', errors)}>
          <input type="text" autoComplete="off" {...top('name')} />
        </FormField>
        <FormGrid>
          <FormField
            label="Budget per run (USD)"
            hint="Its steps stop once they spent this together. Empty: none."
            {...fieldFrame('maxCostUsd', errors)}
          >
            <input type="number" inputMode="decimal" min={0} step="any" {...top('maxCostUsd')} />
          </FormField>
          <FormField
            label="Steps at once"
            hint="The global and per-agent limits apply too."
            {...fieldFrame('maxParallel', errors)}
          >
            <input type="number" inputMode="numeric" min={1} max={20} step={1} {...top('maxParallel')} />
          </FormField>
        </FormGrid>
        <FormField label="Description" wide {...fieldFrame('description', errors)}>
          <input type="text" {...top('description')} />
        </FormField>
      </FormGrid>

      <section className={styles.section} aria-labelledby="wf-inputs-heading">
        <div className={styles.sectionHead}>
          <h3 id="wf-inputs-heading">Input fields</h3>
          <Button
            size="small"
            onClick={() => set({ inputs: [...values.inputs, newInput()] })}
            data-testid="add-input"
          >
            Add input field
          </Button>
        </div>
        <Hint>
          {values.inputs.length === 0
            ? 'None: a run takes no input.'
            : 'Values a run takes; a prompt uses one as {{input.<name>}}.'}
        </Hint>
        <ol className={styles.list}>
          {values.inputs.map((field, index) => (
            <InputFieldRow
              key={field.rowId}
              index={index}
              field={field}
              errors={errors}
              onChange={(patch) => setInput(index, patch)}
              onRemove={() => set({ inputs: values.inputs.filter((_, i) => i !== index) })}
            />
          ))}
        </ol>
        {errors.inputs ? <ErrorText>{errors.inputs}</ErrorText> : null}
      </section>

      <section className={styles.section} aria-labelledby="wf-steps-heading">
        <h3 id="wf-steps-heading">Steps</h3>
        <Hint>
          A prompt may use {'{{input.<name>}}'}, {'{{steps.<key>.result}}'} of a step it waits for and, when
          that step's agent answers with structured output, {'{{steps.<key>.output.<path>}}'}. Without
          dependencies a step starts with the run; timeout and retries left empty are the agent's own.
        </Hint>
        <ol className={styles.list}>
          {values.steps.map((step, index) => (
            <StepRow
              key={step.rowId}
              index={index}
              steps={values.steps}
              agents={agents}
              errors={errors}
              onChange={(patch) => setStep(index, patch)}
              onRename={(key) => set({ steps: renameStep(values.steps, index, key) })}
              onRemove={() => set({ steps: removeStep(values.steps, index) })}
            />
          ))}
        </ol>
        {errors.steps ? <ErrorText testId="field-error-steps">{errors.steps}</ErrorText> : null}
        <Button
          className={styles.addStep}
          onClick={() => set({ steps: [...values.steps, newStep(values.steps)] })}
          data-testid="add-step"
        >
          Add step
        </Button>
      </section>

      <section className={styles.section} aria-labelledby="wf-graph-heading">
        <h3 id="wf-graph-heading">Graph</h3>
        <WorkflowGraph
          id="workflow-draft"
          layout={layout}
          nodes={definitionNodes(values.steps, agentNames)}
          label="The steps as a graph, each arrow from a dependency to the step that waits for it"
        />
      </section>

      <FormFooter
        error={errors.form}
        submitting={submitting}
        label={workflow ? 'Save changes' : 'Create workflow'}
        testIds={{ error: 'form-error', save: 'workflow-save' }}
      />
    </Form>
  );
}
