import type { Locator, Page } from '@playwright/test';

/** The dashboard's machine-health card. */
export class HealthCard {
  readonly card: Locator;
  readonly status: Locator;
  readonly summary: Locator;
  readonly findings: Locator;
  readonly invalid: Locator;
  readonly ticks: Locator;
  readonly scheduleSwitch: Locator;

  constructor(readonly page: Page) {
    this.card = page.getByTestId('health-card');
    this.status = this.card.getByTestId('health-status');
    this.summary = this.card.getByTestId('health-summary');
    this.findings = this.card.getByTestId('health-finding');
    this.invalid = this.card.getByTestId('health-invalid');
    this.ticks = this.card.getByTestId('health-tick');
    this.scheduleSwitch = this.card.getByTestId('health-schedule-switch');
  }
}
