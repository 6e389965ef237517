import type { Locator, Page } from '@playwright/test';

export type ChannelFormField =
  | 'name'
  | 'url'
  | 'token'
  | 'host'
  | 'port'
  | 'user'
  | 'password'
  | 'from'
  | 'to';

/** The notifications page, its channel form and its delivery log. */
export class NotificationsPage {
  readonly newChannel: Locator;
  readonly form: Locator;
  readonly save: Locator;
  readonly secret: Locator;
  readonly copySecret: Locator;
  readonly copyState: Locator;
  readonly done: Locator;
  readonly deliveries: Locator;
  readonly noDeliveries: Locator;

  constructor(readonly page: Page) {
    this.newChannel = page.getByTestId('channel-new');
    this.form = page.getByTestId('channel-form');
    this.save = page.getByTestId('channel-save');
    this.secret = page.getByTestId('channel-secret-value');
    this.copySecret = page.getByTestId('channel-secret-copy');
    this.copyState = page.getByTestId('channel-secret-copy-state');
    this.done = page.getByTestId('channel-created-done');
    this.deliveries = page.getByTestId('delivery-row');
    this.noDeliveries = page.getByTestId('deliveries-empty');
  }

  field(name: ChannelFormField): Locator {
    return this.page.getByTestId(`channel-field-${name}`);
  }

  fieldError(name: ChannelFormField | 'events' | 'agentIds'): Locator {
    return this.page.getByTestId(`channel-error-${name}`);
  }

  event(type: string): Locator {
    return this.page.getByTestId(`channel-event-${type}`);
  }

  channelRow(name: string): Locator {
    return this.page
      .getByTestId('channel-row')
      .filter({ has: this.page.getByTestId('channel-name').getByText(name, { exact: true }) });
  }

  /** The "Send test" button of a channel's row, and the outcome it shows. */
  sendTest(row: Locator): Locator {
    return row.getByRole('button', { name: 'Send test' });
  }

  testResult(row: Locator): Locator {
    return row.locator('output');
  }

  /** A row of the Conditions panel, by the condition's stored key (`host.disk:web-1:/`, `circuit`). */
  conditionRow(key: string): Locator {
    return this.page.locator(`[data-testid="condition-row"][data-key="${key}"]`);
  }

  async filterLog(filter: { channel?: string; status?: string }): Promise<void> {
    if (filter.channel !== undefined)
      await this.page.getByTestId('deliveries-filter-channel').selectOption({ label: filter.channel });
    if (filter.status !== undefined)
      await this.page.getByTestId('deliveries-filter-status').selectOption(filter.status);
    await this.page.getByTestId('deliveries-filter-apply').click();
  }
}
