// Adjustments (C7, A3) from the admin page: find a partner who just signed up, credit
// and debit their membership, and see their balance move in the partner API.
import { expect, test } from '@playwright/test';
import {
  FINANCE, PASSWORD, PartnerApi, openAdminArea, signInAsStaff, snap, uniqueEmail,
} from './support';

test('an admin credits and debits a new partner, and the partner\'s available balance follows', async ({ page, request }) => {
  const email = uniqueEmail('adam');
  const name = `Adam Adjusted ${Date.now()}`;
  const signup = await request.post('/api/v1/auth/signup', { data: { name, email, password: PASSWORD } });
  expect(signup.status(), await signup.text()).toBe(201);
  const partner = await PartnerApi.signIn(request, email);
  const available = async () => {
    const { balances } = await partner.get('/api/v1/me/balances');
    return balances.find((b: { currency: string }) => b.currency === 'USD')?.available.amount ?? '0.00';
  };
  expect(await available()).toBe('0.00');

  await signInAsStaff(page);
  await openAdminArea(page, 'Adjustments');
  const search = page.getByRole('search', { name: 'Find a partner' });
  await search.getByLabel('Find the partner').fill(email);
  await search.getByRole('button', { name: 'Search' }).click();
  await search.getByRole('button', { name: `Choose Referral program for ${name}` }).click();
  const form = page.getByRole('form', { name: 'New adjustment' });
  await expect(form.getByRole('status').first()).toContainText(`${name} — Referral program`);
  await expect(form.getByLabel('Membership number')).not.toHaveValue('');

  // The API wants a reason (422), shown beside the field.
  await form.getByLabel('Amount').fill('12.50');
  await form.getByRole('button', { name: 'Book adjustment' }).click();
  await expect(page.locator('#adjustment-reason-error')).toHaveText('Give a reason; it is kept in the audit log.');

  await form.getByLabel('Reason').fill('Launch goodwill');
  await form.getByRole('button', { name: 'Book adjustment' }).click();
  await expect(form.getByText(`Booked $12.50 for ${name} (Referral program)`)).toBeVisible();
  const credit = page.getByRole('row').filter({ hasText: 'Launch goodwill' });
  await expect(credit).toContainText('$12.50');
  await expect(credit).toContainText(name);
  await expect.poll(available).toBe('12.50');

  await form.getByLabel('Direction').selectOption('debit');
  await form.getByLabel('Amount').fill('2.50');
  await form.getByLabel('Reason').fill('Duplicate bonus');
  await form.getByRole('button', { name: 'Book adjustment' }).click();
  const debit = page.getByRole('row').filter({ hasText: 'Duplicate bonus' });
  await expect(debit).toContainText('\u2212$2.50');
  await expect.poll(available).toBe('10.00');
  await snap(page, 'admin-adjustments');

  // Both are in the audit log.
  await openAdminArea(page, 'Audit log');
  const filters = page.getByRole('search', { name: 'Filter the audit log' });
  await filters.getByLabel('Action').fill('adjustment.create');
  await filters.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByRole('table').getByRole('row').filter({ hasText: 'Duplicate bonus' })).toBeVisible();
  await expect(page.getByRole('table').getByRole('row').filter({ hasText: 'Launch goodwill' })).toBeVisible();
});

test('finance staff see only Adjustments, book one by membership number, and other areas say who may use them', async ({ page, request }) => {
  const email = uniqueEmail('fern');
  const name = `Fern Finance ${Date.now()}`;
  const signup = await request.post('/api/v1/auth/signup', { data: { name, email, password: PASSWORD } });
  expect(signup.status(), await signup.text()).toBe(201);
  const partner = await PartnerApi.signIn(request, email);
  const { items } = await partner.get('/api/v1/me/programs');
  const membershipId = items[0].id;

  await signInAsStaff(page, FINANCE);
  const adminNav = page.getByRole('navigation', { name: 'Admin' });
  await expect(adminNav.getByRole('link')).toHaveText(['Adjustments']);

  await page.goto('/admin/programs');
  await expect(page.getByRole('heading', { name: 'Not allowed', level: 1 })).toBeVisible();
  await expect(page.getByText('Programs is for program managers and admins. You are signed in as finance staff.'))
    .toBeVisible();
  await page.goto('/admin/audit');
  await expect(page.getByText('Audit log is for admins. You are signed in as finance staff.')).toBeVisible();
  await page.getByRole('link', { name: 'Go to the admin overview' }).click();
  await openAdminArea(page, 'Adjustments');

  // Partner search is for managers and admins: finance staff enter the membership number.
  await expect(page.getByRole('search', { name: 'Find a partner' })).toHaveCount(0);
  const form = page.getByRole('form', { name: 'New adjustment' });
  await form.getByLabel('Membership number').fill(String(membershipId));
  await form.getByLabel('Amount').fill('7');
  await form.getByLabel('Reason').fill('Finance correction');
  await form.getByRole('button', { name: 'Book adjustment' }).click();
  await expect(form.getByText(`Booked $7.00 for ${name} (Referral program)`)).toBeVisible();
  await expect.poll(async () => {
    const { balances } = await partner.get('/api/v1/me/balances');
    return balances.find((b: { currency: string }) => b.currency === 'USD')?.available.amount;
  }).toBe('7.00');
});
