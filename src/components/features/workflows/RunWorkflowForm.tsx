'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { errorIdOf, Form, FormField, FormFooter, FormGrid } from '@/components/ui/FormParts';
import { type WorkflowInputField, workflowRunResponseSchema } from '@/lib/contracts/workflows';
import { ApiClientError, apiFetch, errorMessage } from '@/lib/http/client';
import { checkRunInput } from '@/lib/workflows/validate';

const inputKey = (name: string) => `input.${name}`;
const inputId = (name: string) => `run-input-${name}`;

/** One message per input field (`input.host`), and `form` for the rest (a spent budget's 409). */
function errorsOf(issues: readonly { path: string; message: string }[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) errors[issue.path.startsWith('input.') ? issue.path : 'form'] ??= issue.message;
  return errors;
}

/**
 * Starts a run of the workflow with its input (each declared field, its default filled in) and opens
 * the run's page. The input is checked in the browser as the API checks it.
 */
export function RunWorkflowForm({
  workflowId,
  fields,
}: {
  workflowId: number;
  fields: readonly WorkflowInputField[];
}) {
  const router = useRouter();
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((field) => [field.name, field.default ?? ''])),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [starting, setStarting] = useState(false);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const check = checkRunInput(fields, values);
    if (check.issues.length > 0) {
      setErrors(errorsOf(check.issues));
      return;
    }
    setErrors({});
    setStarting(true);
    try {
      const { run } = await apiFetch(`/api/workflows/${workflowId}/runs`, {
        method: 'POST',
        body: { input: check.values },
        schema: workflowRunResponseSchema,
      });
      router.push(`/workflow-runs/${run.id}`);
    } catch (error) {
      setStarting(false);
      const issues = error instanceof ApiClientError ? error.issues : [];
      setErrors(issues.length > 0 ? errorsOf(issues) : { form: errorMessage(error) });
    }
  };

  return (
    <Form onSubmit={onSubmit} noValidate data-testid="run-workflow-form">
      {fields.length > 0 ? (
        <FormGrid>
          {fields.map((field) => (
            <FormField
              key={field.name}
              inputId={inputId(field.name)}
              label={`${field.label ?? field.name}${field.required ? ' (required)' : ''}`}
              error={errors[inputKey(field.name)]}
              errorTestId={`field-error-${inputKey(field.name)}`}
            >
              <input
                id={inputId(field.name)}
                type="text"
                value={values[field.name] ?? ''}
                onChange={(event) =>
                  setValues((current) => ({ ...current, [field.name]: event.target.value }))
                }
                aria-invalid={errors[inputKey(field.name)] !== undefined}
                aria-describedby={errors[inputKey(field.name)] ? errorIdOf(inputId(field.name)) : undefined}
                data-testid={`run-input-${field.name}`}
              />
            </FormField>
          ))}
        </FormGrid>
      ) : null}
      <FormFooter
        error={errors.form}
        submitting={starting}
        label="Run"
        busyLabel="Starting…"
        testIds={{ error: 'run-error', save: 'run-workflow' }}
      />
    </Form>
  );
}
