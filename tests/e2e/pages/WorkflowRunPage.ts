import type { Locator, Page } from '@playwright/test';

/** A workflow run's page: its header and the live graph of its steps. */
export class WorkflowRunPage {
  readonly status: Locator;
  readonly spend: Locator;
  readonly error: Locator;
  readonly cancelButton: Locator;

  constructor(readonly page: Page) {
    this.status = page.getByTestId('workflow-run-status');
    this.spend = page.getByTestId('workflow-run-spend');
    this.error = page.getByTestId('workflow-run-error');
    this.cancelButton = page.getByTestId('cancel-workflow-run');
  }

  /** The run id from the URL. */
  id(): number {
    const match = /\/workflow-runs\/(\d+)/.exec(this.page.url());
    if (!match?.[1]) throw new Error(`not a workflow run page: ${this.page.url()}`);
    return Number(match[1]);
  }

  /** A step's box in the graph (`data-status` is its status). */
  node(key: string): Locator {
    return this.page.locator(`[data-testid="graph-node"][data-key="${key}"]`);
  }

  /** A step's row in the table below the graph. */
  stepRow(key: string): Locator {
    return this.page.locator(`[data-testid="workflow-step-row"][data-key="${key}"]`);
  }

  /** What `recordNodeStatuses` saw on this page load, by step key. */
  statusHistory(): Promise<Record<string, string[]>> {
    return this.page.evaluate(
      () => (window as { __nodeStatuses?: Record<string, string[]> }).__nodeStatuses ?? {},
    );
  }
}

/**
 * From now on, records every status each graph node of a run shows, in order: install it before
 * the app navigates (client-side) to a run's page, and its first paint is recorded too. A test
 * checks the sequence afterwards (`statusHistory()`); a full page load would lose it.
 */
export async function recordNodeStatuses(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: Record<string, string[]> = {};
    (window as { __nodeStatuses?: Record<string, string[]> }).__nodeStatuses = seen;
    const record = () => {
      // Nodes without a status are a definition's graph, not a run's.
      for (const node of document.querySelectorAll('[data-testid="graph-node"][data-status]')) {
        const key = node.getAttribute('data-key') ?? '';
        const status = node.getAttribute('data-status') ?? '';
        const list = seen[key] ?? [];
        if (list.at(-1) !== status) seen[key] = [...list, status];
      }
    };
    new MutationObserver(record).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-status'],
    });
  });
}
