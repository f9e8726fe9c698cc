// Referral tracking end to end (T6, T8): a visitor follows a partner's link, lands on
// the demo vendor page of the same server, sends its "Contact us" form; the partner sees
// the click on the links page and the deal on the deals page; a manager closes the deal
// as won with an amount, and the partner sees it closed successfully.
import { expect, test, type Browser, type Page } from '@playwright/test';
import {
  MANAGER, PartnerApi, VISITOR_AGENT, formatMoney, horizontalOverflow, landOnDemoPage, openAdminArea,
  signIn, signInAsStaff, signUp, snap, uniqueEmail,
} from './support';

/** A visitor (a browser of their own, not a bot's user agent) follows `code` and sends the contact form. */
async function referLead(browser: Browser, baseURL: string, code: string, lead: { name: string; email: string; company: string }): Promise<void> {
  const context = await browser.newContext({ userAgent: VISITOR_AGENT, baseURL });
  try {
    const visitor = await context.newPage();
    await visitor.goto(`/r/${code}`);
    await expect(visitor).toHaveURL(new RegExp(`^${baseURL}/demo/landing\\?.*ref=${code}`));
    await expect(visitor.getByText('You were referred by')).toBeVisible();
    const form = visitor.locator('form[data-partnerly-lead]');
    await form.getByLabel('Name').fill(lead.name);
    await form.getByLabel('Email').fill(lead.email);
    await form.getByLabel('Company').fill(lead.company);
    await form.getByLabel('Message').fill('Please call me about the team plan.');
    await form.getByRole('button', { name: 'Send' }).click();
    await expect(form.getByRole('status')).toHaveText('Thank you! We will be in touch.');
    await snap(visitor, 'demo-landing');
  } finally {
    await context.close();
  }
}

/** Opens a page of the partner's menu. */
async function openPartnerPage(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
}

test('a visitor follows the link, lands on the demo page and sends the contact form; the partner sees the click and the deal', async ({ page, request, browser, baseURL }) => {
  await landOnDemoPage(request, baseURL!);
  const email = uniqueEmail('tara');
  await signUp(page, 'Tara Tracker', email);
  const api = await PartnerApi.signIn(request, email);
  const { code } = await api.defaultLink();

  await openPartnerPage(page, 'Deals');
  await expect(page.getByText('No deals yet')).toBeVisible();

  const lead = { name: 'Vera Visitor', email: `vera-${Date.now()}@visitor.example`, company: 'Visitor Ltd' };
  await referLead(browser, baseURL!, code, lead);

  // The click writer stores clicks within moments: reload until the table shows it.
  await openPartnerPage(page, 'Links');
  const row = page.getByRole('row').filter({ hasText: `/r/${code}` });
  await expect(async () => {
    await page.reload();
    await expect(row.getByRole('cell').nth(1)).toHaveText('1', { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(row.getByRole('cell').nth(2)).toHaveText('1');
  const { items } = await api.get('/api/v1/links');
  expect(items.find((l: { code: string }) => l.code === code).figures).toMatchObject({ clicks: 1, unique_clicks: 1 });

  // The deal: pending, the contact's email masked.
  await openPartnerPage(page, 'Deals');
  const deal = page.getByRole('row').filter({ hasText: lead.name });
  await expect(deal).toContainText('Pending');
  await expect(deal).toContainText(lead.company);
  await expect(deal).toContainText('Referral program');
  await expect(deal).not.toContainText(lead.email);
  await expect(deal).toContainText(/v\*+@visitor\.example/);
  await snap(page, 'deals');
});

test('a manager closes a deal as won with an amount; the partner sees it closed successfully', async ({ page, request, browser, baseURL }) => {
  await landOnDemoPage(request, baseURL!);
  const email = uniqueEmail('walt');
  const partnerName = `Walt Winner ${Date.now()}`;
  await signUp(page, partnerName, email);
  const api = await PartnerApi.signIn(request, email);
  const { code } = await api.defaultLink();
  const lead = { name: `Wendy Won ${Date.now()}`, email: `wendy-${Date.now()}@buyer.example`, company: 'Buyer GmbH' };
  await referLead(browser, baseURL!, code, lead);
  await expect.poll(async () => (await api.get('/api/v1/me/deals')).items.length).toBe(1);

  // The manager's menu has Deals (and not Adjustments, which is finance's).
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signInAsStaff(page, MANAGER);
  const adminNav = page.getByRole('navigation', { name: 'Admin' });
  await expect(adminNav.getByRole('link')).toHaveText(['Programs', 'Deals']);
  await openAdminArea(page, 'Deals');
  await page.getByLabel('Status').selectOption('pending');
  const row = page.getByRole('row').filter({ hasText: lead.name });
  await expect(row).toContainText('Pending');
  await expect(row).toContainText(partnerName);
  await expect(row).toContainText(lead.email); // staff see it whole

  await row.getByRole('button', { name: `Close the deal with ${lead.name}` }).click();
  const form = page.getByRole('form', { name: 'Close the deal' });
  await expect(page.getByRole('region', { name: `Deal with ${lead.name}` })).toContainText('Please call me about the team plan.');
  await expect(form.getByLabel('Status')).toHaveValue('won');
  // Won needs an amount (the browser says so), and a positive one (the server does).
  await form.getByRole('button', { name: 'Save deal' }).click();
  await expect(page.locator('#deal-amount-error')).toHaveText('Enter the deal\'s amount, like 1200.00.');
  await form.getByLabel('Amount').fill('0');
  await form.getByRole('button', { name: 'Save deal' }).click();
  await expect(page.locator('#deal-amount-error')).toBeVisible();
  await expect(page.locator('#deal-amount-error')).not.toHaveText('Enter the deal\'s amount, like 1200.00.');
  await form.getByLabel('Amount').fill('1200');
  await form.getByRole('button', { name: 'Save deal' }).click();
  await expect(page.getByRole('status').filter({ hasText: `the deal with ${lead.name} is closed successfully` })).toBeVisible();
  await expect(form).toHaveCount(0);

  // The pending filter no longer lists it; every status does, closed with its amount.
  await expect(row).toHaveCount(0);
  await page.getByLabel('Status').selectOption('');
  await expect(row).toContainText('Closed successfully');
  await expect(row).toContainText('$1,200.00');
  await snap(page, 'admin-deals');
  const [stored] = (await api.get('/api/v1/me/deals')).items;
  expect(stored).toMatchObject({ status: 'won', amount: { amount: '1200.00', currency: 'USD' } });
  expect(stored.closed_at).toBeTruthy();

  // The partner's deals page.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, email);
  await openPartnerPage(page, 'Deals');
  const deal = page.getByRole('row').filter({ hasText: lead.name });
  await expect(deal).toContainText('Closed successfully');
  await expect(deal).toContainText(formatMoney(stored.amount));
});

test('the deals pages fit 375 px without horizontal scrolling and use the width at 1440 px', async ({ page, request, browser, baseURL }) => {
  await landOnDemoPage(request, baseURL!);
  const email = uniqueEmail('dora');
  await page.setViewportSize({ width: 375, height: 812 });
  await signUp(page, 'Dora Deals', email);
  const api = await PartnerApi.signIn(request, email);
  const lead = { name: 'Nina Narrow', email: `nina-${Date.now()}@narrow.example`, company: 'Narrow and Sons' };
  await referLead(browser, baseURL!, (await api.defaultLink()).code, lead);
  await openPartnerPage(page, 'Deals');
  await expect(page.getByRole('row').filter({ hasText: lead.name })).toContainText('Pending');
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  await snap(page, 'deals-375');
  await page.setViewportSize({ width: 1440, height: 900 });
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  await snap(page, 'deals-1440');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.setViewportSize({ width: 375, height: 812 });
  await signInAsStaff(page, MANAGER);
  await openAdminArea(page, 'Deals');
  const row = page.getByRole('row').filter({ hasText: lead.name });
  await row.getByRole('button', { name: `Close the deal with ${lead.name}` }).click();
  await expect(page.getByRole('form', { name: 'Close the deal' })).toBeInViewport();
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  await snap(page, 'admin-deals-375');
  await page.setViewportSize({ width: 1440, height: 900 });
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  // The whole queue fits beside the sidebar: its buttons need no sideways scrolling.
  const fits = await row.getByRole('button', { name: `Close the deal with ${lead.name}` }).evaluate((button) => {
    const frame = button.closest('.table-scroll')!;
    return frame.scrollWidth <= frame.clientWidth
      && button.getBoundingClientRect().right <= frame.getBoundingClientRect().right;
  });
  expect(fits).toBe(true);
  await snap(page, 'admin-deals-1440');
});
