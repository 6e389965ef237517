import type { Locator, Page } from '@playwright/test';

export class ExecutionPage {
  readonly status: Locator;
  readonly connection: Locator;
  readonly inputTokens: Locator;
  readonly outputTokens: Locator;
  readonly cacheWriteTokens: Locator;
  readonly cacheReadTokens: Locator;
  readonly cost: Locator;
  readonly credential: Locator;
  readonly duration: Locator;
  readonly result: Locator;
  readonly error: Locator;
  readonly steps: Locator;
  readonly logViewer: Locator;
  readonly logTexts: Locator;
  readonly cancelButton: Locator;
  readonly apiRetry: Locator;
  readonly apiRetries: Locator;
  readonly resourceChart: Locator;
  readonly resourceCpuSeconds: Locator;
  readonly resourcePeakProcesses: Locator;

  constructor(readonly page: Page) {
    this.status = page.getByTestId('execution-status');
    this.connection = page.getByTestId('connection-state');
    this.inputTokens = page.getByTestId('execution-tokens-input');
    this.outputTokens = page.getByTestId('execution-tokens-output');
    this.cacheWriteTokens = page.getByTestId('execution-tokens-cache-write');
    this.cacheReadTokens = page.getByTestId('execution-tokens-cache-read');
    this.cost = page.getByTestId('execution-cost');
    this.credential = page.getByTestId('execution-credential');
    this.duration = page.getByTestId('execution-duration');
    this.result = page.getByTestId('execution-result');
    this.error = page.getByTestId('execution-error');
    this.steps = page.getByTestId('step');
    this.logViewer = page.getByTestId('log-viewer');
    this.logTexts = this.logViewer.getByTestId('log-text');
    this.cancelButton = page.getByTestId('cancel-run');
    this.apiRetry = page.getByTestId('execution-api-retry');
    this.apiRetries = page.getByTestId('execution-api-retries');
    this.resourceChart = page.getByTestId('run-resource-chart');
    this.resourceCpuSeconds = page.getByTestId('run-cpu-seconds');
    this.resourcePeakProcesses = page.getByTestId('run-peak-processes');
  }

  /** The cost breakdown's row for one model. */
  costRow(model: string): Locator {
    return this.page.locator(`[data-testid="cost-row"][data-model="${model}"]`);
  }

  /** The execution id from the URL. */
  id(): number {
    const match = /\/executions\/(\d+)/.exec(this.page.url());
    if (!match?.[1]) throw new Error(`not on an execution page: ${this.page.url()}`);
    return Number(match[1]);
  }

  /** A log line whose whole text is `text` (not one that merely contains it). */
  logLine(text: string): Locator {
    return this.logTexts.filter({ hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) });
  }

  /** The timeline row of a tool call, holding its result. */
  toolStep(toolName: string): Locator {
    return this.page.locator('[data-testid="step"][data-kind="tool_use"]').filter({ hasText: toolName });
  }

  async stepSummaries(): Promise<string[]> {
    return this.steps.getByTestId('step-summary').allTextContents();
  }

  async logLines(): Promise<string[]> {
    return this.logTexts.allTextContents();
  }

  /**
   * Every line the page holds, by sequence number: the viewer renders only the rows in view, so
   * this scrolls it from top to bottom one viewport at a time and reads each row on the way.
   */
  async allLogLines(): Promise<Map<number, string>> {
    const rows = await this.logViewer.evaluate(async (viewer) => {
      const seen: [number, string][] = [];
      const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
      for (let top = 0; ; top += viewer.clientHeight) {
        viewer.scrollTop = top;
        await frame();
        await frame();
        for (const row of viewer.querySelectorAll<HTMLElement>('[data-testid="log-line"]')) {
          const text = row.querySelector('[data-testid="log-text"]')?.textContent ?? '';
          seen.push([Number(row.dataset.seq), text]);
        }
        if (top + viewer.clientHeight >= viewer.scrollHeight) return seen;
      }
    });
    const lines = new Map(rows);
    const expected = Number(await this.logViewer.getAttribute('data-line-count'));
    if (lines.size !== expected)
      throw new Error(`read ${lines.size} log lines, the viewer holds ${expected}`);
    return lines;
  }
}
