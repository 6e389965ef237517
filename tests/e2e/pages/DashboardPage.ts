import type { Locator, Page } from '@playwright/test';

export class DashboardPage {
  readonly connection: Locator;
  readonly newAgentLink: Locator;
  readonly monthSpend: Locator;
  readonly executionRows: Locator;

  constructor(
    readonly page: Page,
    private readonly baseUrl: string,
  ) {
    this.connection = page.getByTestId('connection-state');
    this.newAgentLink = page.getByTestId('new-agent-link');
    this.monthSpend = page.getByTestId('month-spend');
    this.executionRows = page.getByTestId('execution-row');
  }

  async goto(): Promise<void> {
    await this.page.goto(new URL('/', this.baseUrl).toString());
  }

  agentRow(name: string): Locator {
    return this.page.locator(`[data-testid="agent-row"][data-agent-name="${name}"]`);
  }

  runButton(agentName: string): Locator {
    return this.agentRow(agentName).getByTestId('run-agent');
  }

  executionRow(id: number): Locator {
    return this.page.locator(`[data-testid="execution-row"][data-execution-id="${id}"]`);
  }
}
