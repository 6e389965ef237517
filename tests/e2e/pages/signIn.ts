import { expect, type Page } from '@playwright/test';
import { TEST_ACCESS_TOKEN } from '../../helpers/appServer';

/** Signs the browser context in the way a person does: the one-time `?token=` link. */
export async function signIn(page: Page, baseUrl: string): Promise<void> {
  await page.goto(new URL(`/signin?token=${TEST_ACCESS_TOKEN}`, baseUrl).toString());
  await expect(page).toHaveURL(new URL('/', baseUrl).toString());
}
