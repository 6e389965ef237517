import type { Locator, Page } from '@playwright/test';

export type StepField = 'key' | 'agentId' | 'prompt' | 'runIf' | 'timeoutSeconds' | 'runRetries';

/** The workflow editor (new and edit): one row per step, input fields, and its live graph. */
export class WorkflowEditorPage {
  readonly save: Locator;
  readonly addStep: Locator;
  readonly addInput: Locator;
  readonly formError: Locator;
  readonly graphNodes: Locator;
  readonly graphEdges: Locator;

  constructor(readonly page: Page) {
    this.save = page.getByTestId('workflow-save');
    this.addStep = page.getByTestId('add-step');
    this.addInput = page.getByTestId('add-input');
    this.formError = page.getByTestId('form-error');
    this.graphNodes = page.getByTestId('graph-node');
    this.graphEdges = page.getByTestId('graph-edge');
  }

  /** A top-level field: name, description, maxCostUsd, maxParallel. */
  field(name: string): Locator {
    return this.page.getByTestId(`workflow-field-${name}`);
  }

  stepField(index: number, field: StepField): Locator {
    return this.field(`steps.${index}.${field}`);
  }

  inputField(index: number, field: 'name' | 'label' | 'default' | 'required'): Locator {
    return this.field(`inputs.${index}.${field}`);
  }

  /** Step `index`'s depends-on checkbox for the step `key`. */
  dependency(index: number, key: string): Locator {
    return this.page
      .locator(`[data-testid="step-row"][data-index="${index}"]`)
      .locator(`[data-testid="step-dependency"][data-key="${key}"]`);
  }

  /** The message beside a form place: `name`, `steps.2.prompt`, `inputs.0.name`. */
  fieldError(place: string): Locator {
    return this.page.getByTestId(`field-error-${place}`);
  }

  /** Fills one step's row; `agent` is the agent's name, `dependsOn` the keys to tick. */
  async fillStep(
    index: number,
    step: { key: string; agent: string; prompt: string; dependsOn?: string[] },
  ): Promise<void> {
    await this.stepField(index, 'key').fill(step.key);
    await this.stepField(index, 'agentId').selectOption({ label: step.agent });
    await this.stepField(index, 'prompt').fill(step.prompt);
    for (const key of step.dependsOn ?? []) await this.dependency(index, key).check();
  }
}
