'use client';

import { Button } from '@/components/ui/Button';
import { Check, ChoiceField, FormField, FormGrid } from '@/components/ui/FormParts';
import { RUN_IF } from '@/lib/contracts/workflows';
import { RUN_IF_LABELS } from './definitionNodes';
import { fieldErrorId, fieldFrame, fieldId, fieldProps } from './editorFields';
import styles from './Workflows.module.css';
import {
  dependencyChoices,
  type EditorAgent,
  type StepFormValues,
  stepErrorKey,
  type WorkflowFormErrors,
} from './workflowFormModel';

/** A whole number that overrides the agent's own setting for this step; empty keeps the agent's. */
function OverrideField({
  label,
  place,
  min,
  value,
  errors,
  onChange,
}: {
  label: string;
  place: string;
  min: number;
  value: string;
  errors: WorkflowFormErrors;
  onChange(value: string): void;
}) {
  return (
    <FormField label={label} {...fieldFrame(place, errors)}>
      <input
        type="number"
        inputMode="numeric"
        min={min}
        step={1}
        placeholder="the agent's"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        {...fieldProps(place, errors)}
      />
    </FormField>
  );
}

/** One step of the editor: agent, prompt template, what it waits for, when it runs, and its overrides. */
export function StepRow({
  index,
  steps,
  agents,
  errors,
  onChange,
  onRename,
  onRemove,
}: {
  index: number;
  steps: readonly StepFormValues[];
  agents: readonly EditorAgent[];
  errors: WorkflowFormErrors;
  onChange(patch: Partial<StepFormValues>): void;
  onRename(key: string): void;
  onRemove(): void;
}) {
  const step = steps[index];
  if (!step) return null;
  const place = (field: Parameters<typeof stepErrorKey>[1]) => stepErrorKey(index, field);
  const dependsOnKey = place('dependsOn');
  const choices = dependencyChoices(steps, index);

  const toggleDependency = (key: string, checked: boolean) =>
    onChange({
      dependsOn: checked ? [...step.dependsOn, key] : step.dependsOn.filter((dep) => dep !== key),
    });

  return (
    <li className={styles.step} data-testid="step-row" data-index={index} data-key={step.key}>
      <div className={styles.stepHead}>
        <h4>Step {index + 1}</h4>
        <Button size="small" onClick={onRemove} disabled={steps.length === 1} data-testid="step-remove">
          Remove
        </Button>
      </div>
      <FormGrid>
        <FormField label="Key" {...fieldFrame(place('key'), errors)}>
          <input
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={step.key}
            onChange={(event) => onRename(event.target.value)}
            {...fieldProps(place('key'), errors)}
          />
        </FormField>
        <FormField label="Agent" {...fieldFrame(place('agentId'), errors)}>
          <select
            value={step.agentId}
            onChange={(event) => onChange({ agentId: event.target.value })}
            {...fieldProps(place('agentId'), errors)}
          >
            <option value="">Pick an agent…</option>
            {agents.map((agent) => (
              <option key={agent.id} value={String(agent.id)}>
                {agent.structured ? `${agent.name} (structured output)` : agent.name}
              </option>
            ))}
          </select>
        </FormField>
        <FormField label="Prompt" wide {...fieldFrame(place('prompt'), errors)}>
          <textarea
            rows={3}
            value={step.prompt}
            onChange={(event) => onChange({ prompt: event.target.value })}
            {...fieldProps(place('prompt'), errors)}
          />
        </FormField>
        <ChoiceField
          legend="Depends on"
          wide={false}
          hint={choices.length === 0 ? 'No other steps yet: it starts with the run.' : undefined}
          error={errors[dependsOnKey]}
          errorId={fieldErrorId(dependsOnKey)}
          errorTestId={`field-error-${dependsOnKey}`}
          testId={`workflow-field-${dependsOnKey}`}
          id={fieldId(dependsOnKey)}
        >
          <div className={styles.depends}>
            {choices.map((key) => (
              <Check
                key={key}
                label={key}
                checked={step.dependsOn.includes(key)}
                onChange={(event) => toggleDependency(key, event.target.checked)}
                data-testid="step-dependency"
                data-key={key}
              />
            ))}
          </div>
        </ChoiceField>
        <FormField label="Runs when" {...fieldFrame(place('runIf'), errors)}>
          <select
            value={step.runIf}
            onChange={(event) =>
              onChange({ runIf: RUN_IF.find((value) => value === event.target.value) ?? 'success' })
            }
            {...fieldProps(place('runIf'), errors)}
          >
            {RUN_IF.map((value) => (
              <option key={value} value={value}>
                {RUN_IF_LABELS[value]}
              </option>
            ))}
          </select>
        </FormField>
        <OverrideField
          label="Timeout (seconds)"
          place={place('timeoutSeconds')}
          min={10}
          value={step.timeoutSeconds}
          errors={errors}
          onChange={(timeoutSeconds) => onChange({ timeoutSeconds })}
        />
        <OverrideField
          label="Run retries"
          place={place('runRetries')}
          min={0}
          value={step.runRetries}
          errors={errors}
          onChange={(runRetries) => onChange({ runRetries })}
        />
        <OverrideField
          label="Approval timeout (minutes)"
          place={place('approvalTimeoutMinutes')}
          min={1}
          value={step.approvalTimeoutMinutes}
          errors={errors}
          onChange={(approvalTimeoutMinutes) => onChange({ approvalTimeoutMinutes })}
        />
      </FormGrid>
    </li>
  );
}
