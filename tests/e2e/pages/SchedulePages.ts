import type { Locator, Page } from '@playwright/test';

export type ScheduleFormField =
  | 'name'
  | 'cronExpression'
  | 'timezone'
  | 'preset'
  | 'presetDay'
  | 'presetTime'
  | 'prompt'
  | 'jitterSeconds';

/** The schedule form, on the schedules page, an agent's page or a schedule's own page. */
export class ScheduleFormPage {
  readonly form: Locator;
  readonly save: Locator;
  readonly words: Locator;
  readonly previewRuns: Locator;

  constructor(readonly page: Page) {
    this.form = page.getByTestId('schedule-form');
    this.save = this.form.getByTestId('schedule-save');
    this.words = this.form.getByTestId('schedule-words');
    this.previewRuns = this.form.getByTestId('next-run');
  }

  field(name: ScheduleFormField): Locator {
    return this.form.getByTestId(`schedule-field-${name}`);
  }

  fieldError(name: ScheduleFormField | 'target'): Locator {
    return this.form.getByTestId(`schedule-error-${name}`);
  }

  /** Opens the zone picker, types part of the zone's name, and picks it from the list. */
  async pickTimeZone(search: string, zone: string): Promise<void> {
    await this.field('timezone').click();
    await this.page.getByTestId('schedule-field-timezone-search').fill(search);
    await this.page.locator('[data-testid="time-zone-option"]', { hasText: zone }).first().click();
  }

  async chooseAgent(name: string): Promise<void> {
    await this.form.getByTestId('schedule-field-agentId').selectOption({ label: name });
  }
}

/** A schedule's own page: its facts, next runs, history and actions. */
export class SchedulePage {
  readonly title: Locator;
  readonly nextRuns: Locator;
  readonly firings: Locator;
  readonly toggle: Locator;
  readonly paused: Locator;

  constructor(readonly page: Page) {
    this.title = page.getByTestId('schedule-title');
    this.nextRuns = page.getByTestId('schedule-next-runs').getByTestId('next-run');
    this.firings = page.getByTestId('firing-row');
    this.toggle = page.getByTestId('schedule-toggle');
    this.paused = page.getByTestId('schedule-paused');
  }

  id(): number {
    const match = /\/schedules\/(\d+)/.exec(this.page.url());
    if (!match?.[1]) throw new Error(`not on a schedule page: ${this.page.url()}`);
    return Number(match[1]);
  }
}
