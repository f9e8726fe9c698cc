// The earnings page (C1–C3): the commissions table with amounts, rates, statuses and
// reversals as the API has them; filters kept in the URL; pages of twenty; phones.
import { expect, test, type Page } from '@playwright/test';
import {
  Billing, PartnerApi, formatDate, formatMoney, horizontalOverflow, signUp, snap, uniqueEmail,
} from './support';

/** The table's body rows (the header row left out). */
function bodyRows(page: Page) {
  return page.getByRole('row').filter({ hasNot: page.getByRole('columnheader') });
}

/** Today in UTC as a date input writes it, moved by `days`. */
function day(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

test('the earnings table lists each commission with its payment, rate, amount, reversal and status', async ({ page, request }) => {
  const email = uniqueEmail('erin');
  await signUp(page, 'Erin Earner', email);
  const api = await PartnerApi.signIn(request, email);
  const billing = new Billing((await api.defaultLink()).code);
  billing.signUp('ann').signUp('bob');
  // Paid ten days ago, recorded now: the table shows the day the customer paid.
  const paidAt = `${day(-10)}T12:00:00Z`;
  const paid = billing.pay('ann', '49.00', paidAt); // $9.80, pending
  const partly = billing.pay('bob', '30.00'); // $6.00 ...
  billing.refund(partly, '10.00'); // ... $2.00 of it reversed
  const refunded = billing.pay('bob', '100.00'); // $20.00 ...
  billing.refund(refunded, '100.00'); // ... all of it reversed
  await billing.send(request);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Earnings' }).click();
  await expect(page.getByRole('heading', { name: 'Earnings', level: 1 })).toBeVisible();
  await expect(page.getByRole('columnheader')).toHaveText([
    'Date', 'Customer', 'Payment', 'Rate', 'Commission', 'Status', 'Available on',
  ]);
  await expect(bodyRows(page)).toHaveCount(3);

  // Every row shows what the API has for it.
  const { items } = await api.get('/api/v1/me/commissions');
  expect(items).toHaveLength(3);
  for (const c of items) {
    const row = page.getByRole('row', { name: new RegExp(c.payment_id) });
    await expect(row).toContainText(formatDate(c.paid_at));
    await expect(row).toContainText(c.customer);
    await expect(row).toContainText(formatMoney(c.payment_amount));
    await expect(row).toContainText(formatMoney(c.amount));
  }

  const pending = page.getByRole('row', { name: new RegExp(paid) });
  // The date is the payment's, not the day the commission was written (today).
  const ann = items.find((c: { payment_id: string }) => c.payment_id === paid);
  expect(ann.paid_at).toBe(paidAt);
  expect(formatDate(ann.created_at)).not.toBe(formatDate(paidAt));
  await expect(pending.getByRole('cell').first()).toHaveText(formatDate(paidAt));
  await expect(pending).not.toContainText(formatDate(ann.created_at));
  // Newest payment first: the payment of ten days ago comes last.
  await expect(bodyRows(page).last()).toContainText(paid);
  await expect(pending).toContainText('a***@example.com');
  await expect(pending).toContainText('$49.00');
  await expect(pending).toContainText('20%');
  await expect(pending).toContainText('$9.80');
  await expect(pending).toContainText('Pending');
  await expect(pending).toContainText(formatDate(items.find((c: { payment_id: string }) => c.payment_id === paid).available_at));
  await expect(pending).not.toContainText('reversed');

  const partial = page.getByRole('row', { name: new RegExp(partly) });
  await expect(partial).toContainText('$6.00');
  await expect(partial).toContainText('−$2.00 reversed');
  await expect(partial).toContainText('Pending');

  const reversed = page.getByRole('row', { name: new RegExp(refunded) });
  await expect(reversed).toContainText('$20.00');
  await expect(reversed).toContainText('−$20.00 reversed');
  await expect(reversed).toContainText('Reversed');
  await expect(page.getByText('Page 1 of 1')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Next' })).toBeDisabled();
  // At a laptop's 1280 px the whole table fits beside the sidebar, no scrolling in it.
  const table = page.getByRole('table');
  expect(await table.evaluate((t) => t.parentElement!.scrollWidth - t.parentElement!.clientWidth)).toBeLessThanOrEqual(0);
  await snap(page, 'earnings');
});

test('filters by status and dates are kept in the URL and survive a reload', async ({ page, request }) => {
  const email = uniqueEmail('fred');
  await signUp(page, 'Fred Filter', email);
  const api = await PartnerApi.signIn(request, email);
  const billing = new Billing((await api.defaultLink()).code);
  billing.signUp('ann');
  billing.pay('ann', '10.00');
  billing.pay('ann', '20.00');
  const refunded = billing.pay('ann', '30.00');
  billing.refund(refunded, '30.00');
  await billing.send(request);

  await page.goto('/earnings');
  await expect(bodyRows(page)).toHaveCount(3);

  const status = page.getByLabel('Status');
  await status.selectOption('Reversed');
  await expect(page).toHaveURL(/\/earnings\?status=reversed$/);
  await expect(bodyRows(page)).toHaveCount(1);
  await expect(bodyRows(page)).toContainText('Reversed');

  await page.reload();
  await expect(page.getByRole('heading', { name: 'Earnings', level: 1 })).toBeVisible();
  await expect(page.getByLabel('Status')).toHaveValue('reversed');
  await expect(bodyRows(page)).toHaveCount(1);

  await status.selectOption('Pending');
  await expect(bodyRows(page)).toHaveCount(2);
  await expect(bodyRows(page).filter({ hasText: 'Reversed' })).toHaveCount(0);

  // Paid today: a range that starts tomorrow is empty, one around today is not.
  await page.getByLabel('From').fill(day(1));
  await expect(page.getByText('No commissions match these filters')).toBeVisible();
  await page.getByLabel('From').fill(day(-1));
  await page.getByLabel('To').fill(day(0));
  await expect(bodyRows(page)).toHaveCount(2);
  await expect(page).toHaveURL(new RegExp(`status=pending&from=${day(-1)}&to=${day(0)}`));
  await page.reload();
  await expect(page.getByLabel('From')).toHaveValue(day(-1));
  await expect(page.getByLabel('To')).toHaveValue(day(0));
  await expect(page.getByLabel('Status')).toHaveValue('pending');
  await expect(bodyRows(page)).toHaveCount(2);
  await snap(page, 'earnings-filtered');

  await page.getByRole('link', { name: 'Clear filters' }).click();
  await expect(page).toHaveURL(/\/earnings$/);
  await expect(page.getByLabel('Status')).toHaveValue('');
  await expect(bodyRows(page)).toHaveCount(3);

  // A filter that cannot be right is named beside its field.
  await page.goto(`/earnings?from=${day(0)}&to=${day(-3)}`);
  await expect(page.getByText('The end date is before the start date.')).toBeVisible();
  await page.goto('/earnings?status=paid');
  await expect(page.getByText('Choose a status from the list.')).toBeVisible();
});

test('a new partner sees an empty earnings page', async ({ page }) => {
  await signUp(page, 'Nina Nothing', uniqueEmail('nina'));
  await page.goto('/earnings');
  await expect(page.getByText('No commissions yet')).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
  await snap(page, 'earnings-empty');
});

test('more than twenty commissions are paged with Previous and Next, and the page survives a reload', async ({ page, request }) => {
  const email = uniqueEmail('pete');
  await signUp(page, 'Pete Pager', email);
  const api = await PartnerApi.signIn(request, email);
  const billing = new Billing((await api.defaultLink()).code);
  billing.signUp('ann');
  for (let i = 1; i <= 23; i += 1) billing.pay('ann', `${i}.00`);
  await billing.send(request);

  await page.goto('/earnings');
  await expect(page.getByText('23 commissions')).toBeVisible();
  await expect(page.getByText('Page 1 of 2')).toBeVisible();
  await expect(bodyRows(page)).toHaveCount(20);
  await expect(page.getByRole('button', { name: 'Previous' })).toBeDisabled();
  // Newest first: the 23rd payment ($23.00 → $4.60) leads.
  await expect(bodyRows(page).first()).toContainText('$4.60');

  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page).toHaveURL(/\/earnings\?page=2$/);
  await expect(page.getByText('Page 2 of 2')).toBeVisible();
  await expect(bodyRows(page)).toHaveCount(3);
  await expect(bodyRows(page).last()).toContainText('$0.20');
  await expect(page.getByRole('button', { name: 'Next' })).toBeDisabled();

  await page.reload();
  await expect(page.getByText('Page 2 of 2')).toBeVisible();
  await expect(bodyRows(page)).toHaveCount(3);
  await snap(page, 'earnings-page-2');

  await page.getByRole('button', { name: 'Previous' }).click();
  await expect(page).toHaveURL(/\/earnings$/);
  await expect(bodyRows(page)).toHaveCount(20);

  await page.setViewportSize({ width: 375, height: 812 });
  await expect(bodyRows(page)).toHaveCount(20);
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  await snap(page, 'earnings-375');
  await page.setViewportSize({ width: 1440, height: 900 });
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  await snap(page, 'earnings-1440');
});

test('a commission whose hold has ended becomes available on the earnings page and the dashboard', async ({ page, request }) => {
  // The release job runs every 30 s on real time.
  test.setTimeout(90_000);
  const email = uniqueEmail('avery');
  await signUp(page, 'Avery Available', email);
  const api = await PartnerApi.signIn(request, email);
  const billing = new Billing((await api.defaultLink()).code);
  billing.signUp('ann');
  const old = billing.pay('ann', '50.00', '2026-01-05T10:00:00Z'); // hold ended Feb 2026
  billing.pay('ann', '20.00'); // still in the hold
  await billing.send(request);

  await expect
    .poll(async () => {
      const { items } = await api.get('/api/v1/me/commissions?status=available');
      return items.map((c: { payment_id: string }) => c.payment_id);
    }, { timeout: 45_000, intervals: [1_000] })
    .toEqual([old]);

  await page.goto('/earnings?status=available');
  await expect(bodyRows(page)).toHaveCount(1);
  const row = page.getByRole('row', { name: new RegExp(old) });
  await expect(row).toContainText('$10.00');
  await expect(row).toContainText('Available');
  await expect(row).toContainText('Feb 5, 2026');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  await expect(page.getByRole('group', { name: 'Available', exact: true })).toContainText('$10.00');
  await expect(page.getByRole('group', { name: 'Pending', exact: true })).toContainText('$4.00');
  await expect(page.getByRole('group', { name: 'Earned', exact: true })).toContainText('$14.00');
});
