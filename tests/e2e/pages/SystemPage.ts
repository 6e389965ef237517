import type { Locator, Page } from '@playwright/test';

/** The system page (/system): host charts by range, the current values, the runs in the range. */
export class SystemPage {
  readonly tier: Locator;
  readonly currentValues: Locator;
  readonly runBands: Locator;
  readonly error: Locator;
  /** Shown once more than one host has metrics. */
  readonly hostPicker: Locator;

  constructor(readonly page: Page) {
    this.hostPicker = page.getByTestId('metrics-host');
    this.tier = page.getByTestId('metrics-tier');
    this.currentValues = page.getByTestId('current-values');
    this.runBands = page.getByTestId('run-band');
    this.error = page.getByTestId('metrics-error');
  }

  /** A chart by id: cpu, cores, memory, load, disk-space, disk-io, network. */
  chart(id: string): Locator {
    return this.page.getByTestId(`chart-${id}`);
  }

  rangeButton(range: string): Locator {
    return this.page.getByTestId(`range-${range}`);
  }

  runBand(executionId: number): Locator {
    return this.page.locator(`[data-testid="run-band"][data-id="${executionId}"]`);
  }

  /**
   * Moves the mouse over the instant `t` of a chart (epoch ms), read from the x extent the chart
   * exposes; returns the chart's tooltip.
   */
  async hoverAt(id: string, t: number): Promise<Locator> {
    const chart = this.chart(id);
    const from = Number(await chart.getAttribute('data-from'));
    const to = Number(await chart.getAttribute('data-to'));
    const box = await chart.locator('.u-over').boundingBox();
    if (!box) throw new Error(`chart ${id} is not drawn`);
    await this.page.mouse.move(box.x + (box.width * (t - from)) / (to - from), box.y + box.height / 2);
    return chart.locator('[role="tooltip"]');
  }

  /** How many points a chart holds and the time of its newest, as it exposes them. */
  async points(id: string): Promise<{ count: number; last: number }> {
    const chart = this.chart(id);
    return {
      count: Number(await chart.getAttribute('data-points')),
      last: Number(await chart.getAttribute('data-last')),
    };
  }
}
