// The dashboard (S1, L5, C5): the default referral link with Copy, money per currency,
// the level and its rate, customers by status — and the figures are the API's.
import { expect, test, type Page } from '@playwright/test';
import {
  AdminApi, Billing, PartnerApi, VISITOR_AGENT, formatDay, formatMoney, horizontalOverflow, landOnDemoPage,
  signUp, snap, uniqueEmail,
} from './support';

/** A figure on the dashboard by its label ("Earned", "Active"). */
function figure(page: Page, label: string) {
  return page.getByRole('group', { name: label, exact: true });
}

test('a new partner sees an empty dashboard with their referral link and can copy it', async ({ page, request, context }) => {
  const email = uniqueEmail('nell');
  await signUp(page, 'Nell Newcomer', email);
  await expect(page).toHaveURL(/\/dashboard$/);
  const api = await PartnerApi.signIn(request, email);
  const link = await api.defaultLink();

  const shown = page.getByRole('textbox', { name: 'Your referral link' });
  await expect(shown).toHaveValue(link.url);
  await expect(page.getByText('No customers yet — share your link')).toBeVisible();
  for (const label of ['Earned', 'Pending', 'Available', 'Withdrawn']) {
    await expect(figure(page, label)).toContainText('$0.00');
  }
  // The default program: one level paying 20% for 12 months, nothing above it.
  const level = page.getByRole('article', { name: 'Partner' });
  await expect(level).toContainText('20%');
  await expect(level).toContainText("first 12 months");
  await expect(level.getByText('Top level')).toBeVisible();
  await expect(page.getByRole('progressbar')).toHaveCount(0);
  await snap(page, 'dashboard-empty');

  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link.url);
});

test('after the vendor reports customers, payments and a refund, the dashboard shows the API figures', async ({ page, request }) => {
  const email = uniqueEmail('rita');
  await signUp(page, 'Rita Referrer', email);
  const api = await PartnerApi.signIn(request, email);
  const { code } = await api.defaultLink();

  const billing = new Billing(code);
  billing.signUp('ann').signUp('bob').signUp('cat');
  billing.pay('ann', '49.00'); // earns $9.80
  const refunded = billing.pay('bob', '100.00'); // earns $20.00 ...
  billing.refund(refunded, '25.00'); // ... of which $5.00 is reversed
  billing.status('cat', 'frozen');
  await billing.send(request);

  await page.reload();
  await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();
  const stats = await api.get('/api/v1/me/stats');
  expect(stats.balances).toHaveLength(1);
  const balance = stats.balances[0];
  // The portal shows the API's figures, written the same way ...
  await expect(figure(page, 'Earned')).toContainText(formatMoney(balance.earned));
  await expect(figure(page, 'Pending')).toContainText(formatMoney(balance.pending));
  await expect(figure(page, 'Available')).toContainText(formatMoney(balance.available));
  await expect(figure(page, 'Withdrawn')).toContainText(formatMoney(balance.withdrawn));
  // ... and those are what the rule says: 20% of 49.00 + 20% of (100.00 − 25.00), in the hold.
  await expect(figure(page, 'Earned')).toContainText('$24.80');
  await expect(figure(page, 'Pending')).toContainText('$24.80');
  await expect(figure(page, 'Available')).toContainText('$0.00');

  const membership = stats.memberships[0];
  const counts = membership.customers;
  expect(counts).toEqual({ active: 2, frozen: 1, deleted: 0, paying: 2 });
  await expect(figure(page, 'Active')).toContainText(String(counts.active));
  await expect(figure(page, 'Frozen')).toContainText(String(counts.frozen));
  await expect(figure(page, 'Deleted')).toContainText(String(counts.deleted));
  await expect(figure(page, 'Paying')).toContainText(String(counts.paying));
  await expect(figure(page, 'Successful sales')).toContainText(String(membership.successful_sales));
  await expect(figure(page, 'Revenue')).toContainText(formatMoney(membership.revenue[0]));
  await expect(page.getByText('No customers yet')).toHaveCount(0);
  await snap(page, 'dashboard');

  await page.getByRole('link', { name: 'See every commission' }).click();
  await expect(page.getByRole('heading', { name: 'Earnings', level: 1 })).toBeVisible();
});

test('the dashboard fits 375 px without horizontal scrolling and uses the width at 1440 px', async ({ page, request }) => {
  const email = uniqueEmail('milo');
  await page.setViewportSize({ width: 375, height: 812 });
  await signUp(page, 'Milo Mobile', email);
  const api = await PartnerApi.signIn(request, email);
  const billing = new Billing((await api.defaultLink()).code);
  billing.signUp('dan');
  billing.pay('dan', '1234.50');
  await billing.send(request);
  await page.reload();
  await expect(figure(page, 'Earned')).toContainText('$246.90');
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  await snap(page, 'dashboard-375');

  await page.setViewportSize({ width: 1440, height: 900 });
  await expect(figure(page, 'Earned')).toBeVisible();
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  await snap(page, 'dashboard-1440');
});

test('on a program with a level ladder, the progress bar shows the API\'s progress to the next level', async ({ page, request }) => {
  // The default program has one level; add a second one, promoted by paying customers,
  // for this test only (removed at the end, so the other tests see the default program).
  const admin = await AdminApi.signIn(request);
  const { items } = await admin.get('/api/v1/admin/programs');
  const program = items.find((p: { name: string }) => p.name === 'Referral program');
  expect(program, JSON.stringify(items)).toBeTruthy();
  const position = Math.max(...program.levels.map((l: { position: number }) => l.position)) + 1;
  const level = await admin.send('POST', `/api/v1/admin/programs/${program.id}/levels`, {
    name: 'Ladder Gold', position, track: 'referral', percent: '30', duration: { kind: 'lifetime' },
    threshold: { kind: 'paying_customers', count: 3 },
  }, 201);
  try {
    const email = uniqueEmail('lara');
    await signUp(page, 'Lara Ladder', email);
    const api = await PartnerApi.signIn(request, email);
    const billing = new Billing((await api.defaultLink()).code);
    billing.signUp('ann').signUp('bob');
    billing.pay('ann', '49.00'); // one paying customer of the three that promote
    await billing.send(request);

    await page.reload();
    const stats = await api.get('/api/v1/me/stats');
    const next = stats.memberships[0].next_level;
    expect(next, JSON.stringify(stats.memberships[0])).toMatchObject({ name: 'Ladder Gold', percent: '30' });
    expect(Number(next.progress)).toBeGreaterThan(0);
    expect(Number(next.progress)).toBeLessThan(1);

    const percent = Math.round(Number(next.progress) * 100);
    const bar = page.getByRole('progressbar', { name: 'Progress to Ladder Gold' });
    await expect(bar).toHaveAttribute('aria-valuenow', String(percent));
    await expect(bar).toHaveAttribute('aria-valuetext', `${percent}%, ${next.remaining}`);
    const card = page.getByRole('article', { name: stats.memberships[0].level });
    await expect(card).toContainText(`Next: Ladder Gold · 30%`);
    await expect(card).toContainText(`${percent}%`);
    await expect(card).toContainText(next.remaining);
    await expect(card.getByText('Top level')).toHaveCount(0);
    await snap(page, 'dashboard-progress');
  } finally {
    await admin.send('DELETE', `/api/v1/admin/levels/${level.id}`, undefined, 204);
  }
});

test('the activity chart draws clicks, sign-ups and earnings per day, switches to 90 and 365 days, and fits a phone', async ({ page, request, baseURL }) => {
  await landOnDemoPage(request, baseURL!);
  await page.setViewportSize({ width: 1440, height: 900 });
  const email = uniqueEmail('cora');
  await signUp(page, 'Cora Chart', email);
  const api = await PartnerApi.signIn(request, email);
  const { code } = await api.defaultLink();
  // Two clicks by one visitor (a browser's user agent: not a bot), and a customer who signed up.
  for (let i = 0; i < 2; i += 1) {
    const click = await request.get(`/r/${code}`, { maxRedirects: 0, headers: { 'User-Agent': VISITOR_AGENT } });
    expect(click.status()).toBe(302);
  }
  // A customer who signed up and paid today.
  const billing = new Billing(code);
  billing.signUp('ann').pay('ann', '100.00');
  await billing.send(request);
  await expect.poll(async () => (await api.get('/api/v1/me/stats/timeseries')).points.at(-1).clicks).toBe(2);
  const earned = (await api.get('/api/v1/me/stats/timeseries')).points.at(-1).earnings;
  expect(earned).toHaveLength(1);
  expect(earned[0].currency).toBe('USD');

  await page.reload();
  const chart = page.locator('svg.chart');
  const today = new Date();
  await expect(chart).toHaveAccessibleName(
    `Clicks, sign-ups, paying customers and deals per day, ${formatDay(new Date(today.getTime() - 29 * 86_400_000))} to ${formatDay(today)}`);
  // Labelled axes: the values from 0, the dates up to today; a line per measure.
  await expect(chart.locator('text.chart-axis-title')).toHaveText('per day');
  await expect(chart.locator('text.chart-value').first()).toHaveText('0');
  await expect(chart.locator('text.chart-value').last()).toHaveText('2');
  await expect(chart.locator('text.chart-date').last()).toHaveText(formatDay(today));
  await expect(chart.locator('polyline')).toHaveCount(4);
  const totals = page.getByRole('list', { name: 'Totals' });
  await expect(totals.getByRole('listitem')).toHaveText(['Clicks 2', 'Sign-ups 1', 'Paying customers 1', 'Deals 0']);
  // Below it, what today's sale earned, as a bar on a money axis.
  const earnings = page.locator('svg.earnings-chart');
  await expect(earnings).toHaveAccessibleName(
    `Earnings in USD per day, ${formatDay(new Date(today.getTime() - 29 * 86_400_000))} to ${formatDay(today)}`);
  await expect(earnings.locator('text.chart-axis-title')).toHaveText('USD per day');
  await expect(earnings.locator('rect')).toHaveCount(1);
  await expect(earnings.locator('rect title')).toHaveText(`${formatDay(today)}: ${earned[0].amount} USD`);
  await expect(page.getByRole('list', { name: 'Earnings' }).getByRole('listitem')).toHaveText([`Earned ${earned[0].amount} USD`]);
  // The link table below shows the same figures.
  const links = page.getByRole('region', { name: 'Your links' });
  await expect(links.getByRole('row').filter({ hasText: `/r/${code}` }).getByRole('cell').nth(1)).toHaveText('2');
  await snap(page, 'dashboard-chart-1440');

  await page.getByRole('button', { name: '90 days' }).click();
  await expect(page.getByRole('button', { name: '90 days' })).toHaveAttribute('aria-pressed', 'true');
  await expect(chart).toHaveAccessibleName(new RegExp(`per day, ${formatDay(new Date(today.getTime() - 89 * 86_400_000))} to ${formatDay(today)}$`));
  await expect(totals).toContainText('Clicks 2');

  await page.getByRole('button', { name: '365 days' }).click();
  await expect(chart.locator('text.chart-axis-title')).toHaveText('per month');
  const month = today.toLocaleDateString('en-US', { month: 'short', year: 'numeric', timeZone: 'UTC' });
  await expect(chart.locator('text.chart-date').last()).toHaveText(month);
  await expect(totals).toContainText('Sign-ups 1');

  // On a phone the chart is drawn at the phone's width, its text at its own size.
  await page.setViewportSize({ width: 375, height: 812 });
  await page.getByRole('button', { name: '30 days' }).click();
  await expect(chart.locator('text.chart-axis-title')).toHaveText('per day');
  await expect.poll(async () => Number(await chart.getAttribute('width'))).toBeLessThan(375);
  const box = await chart.boundingBox();
  expect(box!.width).toBe(Number(await chart.getAttribute('width')));
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  await page.getByRole('heading', { name: 'Activity' }).scrollIntoViewIfNeeded();
  await snap(page, 'dashboard-chart-375');

  // The table's button opens that link on the links page.
  await links.getByRole('button', { name: 'Share and edit Default link' }).click();
  await expect(page.getByRole('heading', { name: 'Links', level: 1 })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Default link' })).toBeVisible();
});
