// Helpers shared by the browser tests: unique accounts, the admin's view of the outbox,
// screenshots under e2e/artifacts/.
import { expect, type APIRequestContext, type Page } from '@playwright/test';

export const PASSWORD = 'correct horse battery';
export const ADMIN = { email: 'admin@e2e.test', password: 'e2e admin passphrase' };

let counter = 0;
/** An email no other test uses. */
export function uniqueEmail(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now()}-${counter}@example.com`;
}

/** Saves a full-page screenshot as e2e/artifacts/<name>.png. */
export async function snap(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `artifacts/${name}.png`, fullPage: true });
}

/** Signs up through the portal's form and waits for the profile page. */
export async function signUp(page: Page, name: string, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/sign-up');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByRole('heading', { name: 'Profile' })).toBeVisible();
}

/** Signs in through the portal's form and waits for the profile page. */
export async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Profile' })).toBeVisible();
}

/** The newest outbox email to `to`, read through the admin API. */
export async function latestEmailTo(request: APIRequestContext, to: string): Promise<{ subject: string; body: string }> {
  const login = await request.post('/api/v1/auth/login', { data: ADMIN });
  expect(login.status()).toBe(200);
  const { access_token } = await login.json();
  let items: { subject: string; body: string }[] = [];
  await expect
    .poll(async () => {
      const reply = await request.get(`/api/v1/admin/outbox?to=${encodeURIComponent(to)}`, {
        headers: { Authorization: `Bearer ${access_token}` },
      });
      expect(reply.status()).toBe(200);
      items = (await reply.json()).items;
      return items.length;
    })
    .toBeGreaterThan(0);
  return items[0];
}
