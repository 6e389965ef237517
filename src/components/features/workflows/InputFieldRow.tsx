'use client';

import { Button } from '@/components/ui/Button';
import { Check, FormField } from '@/components/ui/FormParts';
import { fieldFrame, fieldProps } from './editorFields';
import styles from './Workflows.module.css';
import { type InputFormValues, inputErrorKey, type WorkflowFormErrors } from './workflowFormModel';

/** One input field a run of the workflow takes: its name in templates, its label, default, and whether it is required. */
export function InputFieldRow({
  index,
  field,
  errors,
  onChange,
  onRemove,
}: {
  index: number;
  field: InputFormValues;
  errors: WorkflowFormErrors;
  onChange(patch: Partial<InputFormValues>): void;
  onRemove(): void;
}) {
  const place = (name: Parameters<typeof inputErrorKey>[1]) => inputErrorKey(index, name);
  return (
    <li className={styles.input} data-testid="input-row" data-index={index}>
      <FormField label="Name" {...fieldFrame(place('name'), errors)}>
        <input
          type="text"
          autoComplete="off"
          spellCheck={false}
          value={field.name}
          onChange={(event) => onChange({ name: event.target.value })}
          {...fieldProps(place('name'), errors)}
        />
      </FormField>
      <FormField label="Label" {...fieldFrame(place('label'), errors)}>
        <input
          type="text"
          value={field.label}
          onChange={(event) => onChange({ label: event.target.value })}
          {...fieldProps(place('label'), errors)}
        />
      </FormField>
      <FormField label="Default" {...fieldFrame(place('default'), errors)}>
        <input
          type="text"
          value={field.default}
          onChange={(event) => onChange({ default: event.target.value })}
          {...fieldProps(place('default'), errors)}
        />
      </FormField>
      <Check
        label="Required"
        checked={field.required}
        onChange={(event) => onChange({ required: event.target.checked })}
        data-testid={`workflow-field-${place('required')}`}
      />
      <Button size="small" onClick={onRemove} data-testid="input-remove">
        Remove
      </Button>
    </li>
  );
}
