// The staff pages (A1–A6): who may open them, the programs and levels editor, and the
// audit log. Each test signs in as the admin serve.sh creates; programs made here do not
// take sign-ups (self sign-up off), so other tests' partners stay in the default program.
import { expect, test } from '@playwright/test';
import {
  AdminApi, horizontalOverflow, openAdminArea, signInAsStaff, signUp, snap, uniqueEmail,
} from './support';

test('a partner has no Admin link and gets a not-allowed page at /admin', async ({ page }) => {
  await signUp(page, 'Pat Plain', uniqueEmail('pat'));
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Dashboard' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Admin' })).toHaveCount(0);

  for (const path of ['/admin', '/admin/programs', '/admin/audit', '/admin/nothing-here']) {
    await page.goto(path);
    await expect(page.getByRole('heading', { name: 'Not allowed', level: 1 })).toBeVisible();
    await expect(page.getByText('These pages are for the program\'s staff.')).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Admin' })).toHaveCount(0);
  }
  await snap(page, 'admin-not-allowed');
  await page.getByRole('link', { name: 'Go to your dashboard' }).click();
  await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();
});

test('staff land on the admin overview, which links every area an admin may use', async ({ page }) => {
  await signInAsStaff(page);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Admin' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Earnings' })).toHaveCount(0);
  for (const area of ['Programs', 'Adjustments', 'API keys', 'Webhooks', 'Audit log']) {
    await expect(page.getByRole('listitem').getByRole('link', { name: area, exact: true })).toBeVisible();
  }
});

test('an admin creates a program and a level, edits the level, and the pages show what the API stored', async ({ page, request }) => {
  const api = await AdminApi.signIn(request);
  await signInAsStaff(page);
  await openAdminArea(page, 'Programs');
  await page.getByRole('button', { name: 'New program' }).click();

  const name = `Resellers ${Date.now()}`;
  const form = page.getByRole('form', { name: 'Program settings' });
  await form.getByLabel('Program name').fill(name);
  await form.getByLabel('Currency').selectOption('EUR');
  await form.getByLabel('Attribution window (days)').fill('30');
  await form.getByLabel('Hold (days)').fill('400');
  await form.getByLabel('Minimum payout').fill('100');
  await form.getByLabel('Payout schedule').selectOption('monthly');
  await form.getByLabel('Landing URL').fill('https://resellers.example.com/start');
  await form.getByLabel('Allowed domains').fill('resellers.example.com\nbad_host!');
  await form.getByLabel('Rules').fill('Resellers earn on every payment.');
  await form.getByLabel('Partners join by signing up').uncheck();
  await form.getByRole('button', { name: 'Create program' }).click();
  // Errors are shown beside their fields, list items beside their list.
  await expect(page.locator('#program-hold-error')).toHaveText('The hold period is 0 to 365 days.');
  await expect(page.locator('#program-domains-error')).toContainText('"bad_host!" is not a host name');
  await expect(page.getByLabel('Hold (days)')).toHaveAttribute('aria-invalid', 'true');

  await form.getByLabel('Hold (days)').fill('14');
  await form.getByLabel('Allowed domains').fill('resellers.example.com\nexample.com');
  await form.getByRole('button', { name: 'Create program' }).click();
  await expect(page).toHaveURL(/\/admin\/programs\/\d+$/);
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  const id = Number(page.url().split('/').pop());
  await expect(page.getByText('No levels yet')).toBeVisible();

  // A level without any commission is refused by the API (422), beside both fields.
  await page.getByRole('button', { name: 'Add level' }).click();
  const levelForm = page.getByRole('form', { name: 'Level' });
  await levelForm.getByLabel('Level name').fill('Silver');
  await levelForm.getByRole('button', { name: 'Create level' }).click();
  await expect(page.locator('#level-percent-error')).toHaveText(
    'A level pays a flat first-payment amount, a percentage, or both.');
  await expect(page.locator('#level-flat-error')).toBeVisible();

  await levelForm.getByLabel('Percent of payments').fill('25');
  await levelForm.getByLabel('Percent paid for').selectOption('months');
  await levelForm.getByLabel('Months').fill('6');
  await levelForm.getByLabel('Client bonus').fill('10');
  await levelForm.getByLabel('Bonus given').selectOption('sign_up');
  await levelForm.getByRole('button', { name: 'Create level' }).click();
  await expect(levelForm).toHaveCount(0);
  const silver = page.getByRole('row').filter({ hasText: 'Silver' });
  await expect(silver).toContainText('25% of payments in each customer\'s first 6 months');
  await expect(silver).toContainText('€10.00 at sign-up');
  await expect(silver).toContainText('Starting level');

  // Edit: a new rate and a promotion threshold.
  await page.getByRole('button', { name: 'Edit Silver' }).click();
  await expect(levelForm.getByLabel('Percent of payments')).toHaveValue('25');
  await levelForm.getByLabel('Percent of payments').fill('30');
  await levelForm.getByLabel('Promoted by').selectOption('paying_customers');
  await levelForm.getByLabel('Threshold').fill('3');
  await levelForm.getByRole('button', { name: 'Save level' }).click();
  await expect(silver).toContainText('30% of payments');
  await expect(silver).toContainText('3 paying customers');
  await snap(page, 'admin-program');

  // The API holds exactly what the pages show.
  const program = await api.get(`/api/v1/admin/programs/${id}`);
  expect(program).toMatchObject({
    name, currency: 'EUR', attribution_window_days: 30, hold_days: 14,
    minimum_payout: { amount: '100.00', currency: 'EUR' }, payout_schedule: 'monthly',
    landing_url: 'https://resellers.example.com/start',
    allowed_domains: ['resellers.example.com', 'example.com'],
    rules_text: 'Resellers earn on every payment.', self_signup: false,
  });
  expect(program.levels).toHaveLength(1);
  expect(program.levels[0]).toMatchObject({
    name: 'Silver', position: 1, track: 'referral', flat_first_payment: null, percent: '30',
    duration: { kind: 'months', months: 6 },
    client_bonus: { amount: { amount: '10.00', currency: 'EUR' }, trigger: 'sign_up' },
    threshold: { kind: 'paying_customers', count: 3 },
    rule_version: 2,
  });
  await expect(silver).toContainText(String(program.levels[0].rule_version));

  // A second level, then deleted after confirming.
  await page.getByRole('button', { name: 'Add level' }).click();
  await expect(levelForm.getByLabel('Position')).toHaveValue('2');
  await levelForm.getByLabel('Level name').fill('Gold');
  await levelForm.getByLabel('Flat amount on the first payment').fill('50');
  await levelForm.getByRole('button', { name: 'Create level' }).click();
  const gold = page.getByRole('row').filter({ hasText: 'Gold' });
  await expect(gold).toContainText('€50.00 on the first payment');
  await gold.getByRole('button', { name: 'Delete Gold' }).click();
  await gold.getByRole('button', { name: 'Delete level' }).click();
  await expect(gold).toHaveCount(0);
  expect((await api.get(`/api/v1/admin/programs/${id}`)).levels).toHaveLength(1);

  // Settings saved in place; the list shows the program with its level.
  await form.getByLabel('Program name').fill(`${name} (EU)`);
  await form.getByRole('button', { name: 'Save program' }).click();
  await expect(form.getByRole('status')).toHaveText('Saved');
  await expect(page.getByRole('heading', { name: `${name} (EU)`, level: 1 })).toBeVisible();
  await page.getByRole('link', { name: '← All programs' }).click();
  const listed = page.getByRole('row').filter({ hasText: `${name} (EU)` });
  await expect(listed).toContainText('EUR');
  await expect(listed).toContainText('Silver');
  await expect(listed).toContainText('By invitation');
});

test('the audit log shows staff changes with what changed, and filters them', async ({ page, request }) => {
  const api = await AdminApi.signIn(request);
  const program = await api.send('POST', '/api/v1/admin/programs', {
    name: `Audited ${Date.now()}`, currency: 'USD', landing_url: 'https://audited.example.com/',
    self_signup: false,
  }, 201);
  await api.send('PATCH', `/api/v1/admin/programs/${program.id}`, { hold_days: 7 }, 200);
  const key = await api.send('POST', '/api/v1/admin/api-keys', { name: 'Audited key', scopes: ['read'] }, 201);
  await api.send('DELETE', `/api/v1/admin/api-keys/${key.api_key.id}`, undefined, 204);

  await signInAsStaff(page);
  await openAdminArea(page, 'Audit log');
  const revoked = page.getByRole('row').filter({ hasText: `api_key #${key.api_key.id}` });
  await expect(revoked.filter({ hasText: 'api_key.revoke' })).toHaveCount(1);
  await expect(revoked.filter({ hasText: 'api_key.create' })).toHaveCount(1);
  await expect(revoked.first()).toContainText('admin@e2e.test');

  const filters = page.getByRole('search', { name: 'Filter the audit log' });
  await filters.getByLabel('Target type').fill('program');
  await filters.getByLabel('Target id').fill(String(program.id));
  await filters.getByRole('button', { name: 'Apply filters' }).click();
  const rows = page.getByRole('table').getByRole('row');
  await expect(rows).toHaveCount(3); // the header and two entries
  const update = rows.filter({ hasText: 'program.update' });
  await expect(update).toContainText('hold_days: 31 → 7');
  await expect(rows.filter({ hasText: 'program.create' })).toContainText('Created');
  await update.getByText('Before and after').click();
  await expect(update.locator('pre').last()).toContainText('"hold_days": 7');
  await expect(page.getByText('2 entries')).toBeVisible();
  await snap(page, 'admin-audit');

  await filters.getByLabel('Target id').fill('twelve');
  await filters.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.locator('#audit-target-id-error')).toHaveText('Enter a number, like 12.');
  await filters.getByRole('button', { name: 'Clear' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'api_key.revoke' }).first()).toBeVisible();
});

test('the admin pages fit 375 px without horizontal scrolling and use the width at 1440 px', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 812 });
  await signInAsStaff(page);
  for (const [area, heading] of [['Programs', 'Programs'], ['Adjustments', 'Adjustments'], ['API keys', 'API keys'],
    ['Webhooks', 'Webhooks'], ['Audit log', 'Audit log']]) {
    await openAdminArea(page, area, heading);
    await expect(page.getByRole('status').filter({ hasText: 'Loading' })).toHaveCount(0);
    expect(await horizontalOverflow(page), area).toBeLessThanOrEqual(0);
  }
  await snap(page, 'admin-audit-375');
  await page.setViewportSize({ width: 1440, height: 900 });
  await openAdminArea(page, 'Programs');
  await expect(page.getByRole('table')).toBeVisible();
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  await snap(page, 'admin-programs-1440');
});
