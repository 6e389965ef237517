import { errorIdOf } from '@/components/ui/FormParts';
import type { WorkflowFormErrors } from './workflowFormModel';

/** The element id of a form place (`steps.1.prompt` → `wf-steps-1-prompt`). */
export const fieldId = (key: string) => `wf-${key.replaceAll('.', '-')}`;
export const fieldErrorId = (key: string) => errorIdOf(fieldId(key));

/** What the editor's fields share: the ids, the error wiring and the test id of a form place. */
export function fieldProps(key: string, errors: WorkflowFormErrors) {
  const invalid = errors[key] !== undefined;
  return {
    id: fieldId(key),
    'aria-invalid': invalid,
    'aria-describedby': invalid ? fieldErrorId(key) : undefined,
    'data-testid': `workflow-field-${key}`,
  };
}

/** The FormField props of a form place. */
export const fieldFrame = (key: string, errors: WorkflowFormErrors) => ({
  inputId: fieldId(key),
  error: errors[key],
  errorTestId: `field-error-${key}`,
});
