// The profile page (P5): edits survive a reload, the session survives a reload, field
// errors show beside fields, the password can be changed, and the layout works at 375 px.
import { expect, test } from '@playwright/test';
import { PASSWORD, horizontalOverflow, openProfile, signIn, signUp, snap, uniqueEmail } from './support';

test('profile edits survive a page reload', async ({ page }) => {
  await signUp(page, 'Grace Hopper', uniqueEmail('grace'));
  await openProfile(page);
  const profile = page.getByRole('form', { name: 'Profile' });
  await profile.getByLabel('First name').fill('Grace Brewster');
  await profile.getByLabel('Last name').fill('Murray Hopper');
  await profile.getByLabel('Phone').fill('+1 555 010 0200');
  await profile.getByLabel('Target country').selectOption('US');
  await profile.getByLabel('Payout currency').selectOption('USD');
  await profile.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByText('Saved')).toBeVisible();

  await page.reload();
  await expect(page.getByRole('heading', { name: 'Profile' })).toBeVisible();
  await expect(profile.getByLabel('First name')).toHaveValue('Grace Brewster');
  await expect(profile.getByLabel('Last name')).toHaveValue('Murray Hopper');
  await expect(profile.getByLabel('Phone')).toHaveValue('+1 555 010 0200');
  await expect(profile.getByLabel('Target country')).toHaveValue('US');
  await expect(profile.getByLabel('Payout currency')).toHaveValue('USD');
});

test('invalid profile fields show the API message beside the field', async ({ page }) => {
  await signUp(page, 'Hedy Lamarr', uniqueEmail('hedy'));
  await openProfile(page);
  const profile = page.getByRole('form', { name: 'Profile' });
  await profile.getByLabel('Phone').fill('call me maybe');
  await profile.getByRole('button', { name: 'Save profile' }).click();
  await expect(profile.getByText('Enter a phone number with 7 to 15 digits')).toBeVisible();
  await snap(page, 'profile-field-error');
});

test('a partner changes the password and signs in with the new one', async ({ page }) => {
  const email = uniqueEmail('ida');
  await signUp(page, 'Ida Rhodes', email);
  await openProfile(page);
  const form = page.getByRole('form', { name: 'Change password' });
  await form.getByLabel('Current password').fill('wrong password');
  await form.getByLabel('New password').fill('an entirely new passphrase');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(form.getByText('The current password is wrong.')).toBeVisible();

  await form.getByLabel('Current password').fill(PASSWORD);
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(form.getByRole('status')).toContainText('Your password has been changed.');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, email, 'an entirely new passphrase');
});

test('the portal works at 375 px wide without horizontal scrolling', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 812 });
  await page.goto('/sign-in');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await snap(page, 'sign-in-375');
  await signUp(page, 'Joan Clarke', uniqueEmail('joan'));
  await openProfile(page);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  await snap(page, 'profile-375');
});

test('the portal at 1440 px shows the navigation beside the page', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signUp(page, 'Katherine Johnson', uniqueEmail('kj'));
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav).toBeVisible();
  await expect(nav.getByRole('link')).toHaveText(['Dashboard', 'Links', 'Deals', 'Earnings', 'Profile']);
  await openProfile(page);
  await snap(page, 'profile-1440');
});
