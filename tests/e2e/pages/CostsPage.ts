import type { Locator, Page } from '@playwright/test';

export class CostsPage {
  readonly monthToDate: Locator;
  readonly forecast: Locator;

  constructor(
    readonly page: Page,
    private readonly baseUrl: string,
  ) {
    this.monthToDate = page.getByTestId('cost-month-to-date');
    this.forecast = page.getByTestId('cost-forecast');
  }

  async goto(): Promise<void> {
    await this.page.goto(new URL('/costs', this.baseUrl).toString());
  }

  topExecution(executionId: number): Locator {
    return this.page.locator(`[data-testid="top-execution-row"][data-execution-id="${executionId}"]`);
  }

  /** A budget bar, by the name it shows ('All agents' for the global budget). */
  budget(name: string): Locator {
    return this.page.getByTestId('budget').filter({ hasText: name });
  }
}
