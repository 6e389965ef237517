import type { Locator, Page } from '@playwright/test';

export type AgentFormField =
  | 'name'
  | 'description'
  | 'model'
  | 'systemPrompt'
  | 'defaultPrompt'
  | 'allowedTools'
  | 'workingDirectory'
  | 'maxTurns'
  | 'timeoutSeconds'
  | 'maxCostPerRunUsd'
  | 'monthlyBudgetUsd';

export class AgentFormPage {
  readonly form: Locator;
  readonly save: Locator;
  readonly formError: Locator;

  constructor(readonly page: Page) {
    this.form = page.getByTestId('agent-form');
    this.save = page.getByTestId('agent-save');
    this.formError = page.getByTestId('form-error');
  }

  field(name: AgentFormField): Locator {
    return this.page.getByTestId(`agent-field-${name}`);
  }

  /** The message shown beside a field. */
  fieldError(name: AgentFormField): Locator {
    return this.page.getByTestId(`field-error-${name}`);
  }

  async fill(values: Partial<Record<AgentFormField, string>>): Promise<void> {
    for (const [name, value] of Object.entries(values) as [AgentFormField, string][]) {
      await this.field(name).fill(value);
    }
  }
}
