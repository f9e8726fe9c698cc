// Sign-up, sign-out, sign-in, a wrong password, and password reset through the outbox (P1–P4).
import { expect, test } from '@playwright/test';
import { PASSWORD, latestEmailTo, openProfile, signIn, signUp, snap, uniqueEmail } from './support';

test('a partner signs up, lands on the dashboard with a public id, signs out and signs in again', async ({ page }) => {
  await page.goto('/sign-up');
  await expect(page.getByRole('heading', { name: 'Create your partner account' })).toBeVisible();
  await snap(page, 'sign-up');

  const email = uniqueEmail('ada');
  await signUp(page, 'Ada Lovelace', email);
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByText(/A\d{6}/).first()).toBeVisible();
  await openProfile(page);
  await expect(page.getByLabel('First name')).toHaveValue('Ada');
  await snap(page, 'profile');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);
  await snap(page, 'sign-in');

  // Signed out means the server forgot the session: a reload stays signed out.
  await page.goto('/profile');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  await signIn(page, email);
  await openProfile(page);
  await expect(page.getByLabel('Last name')).toHaveValue('Lovelace');
});

test('a first visit to the sign-in page logs no error: the session probe answers 204', async ({ page }) => {
  const errors: string[] = [];
  const failed: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.startsWith('/api/') && response.status() >= 400) {
      failed.push(`${response.status()} ${response.request().method()} ${response.url()}`);
    }
  });
  // A fresh browser context: no refresh cookie, so nobody to sign in.
  const probe = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/refresh'));
  await page.goto('/sign-in');
  const refresh = await probe;
  // No session, no body (Chromium keeps none of a 204 to read) and no cookie set.
  expect(refresh.status()).toBe(204);
  expect(refresh.headers()['set-cookie']).toBeUndefined();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.waitForLoadState('networkidle');
  expect(failed).toEqual([]);
  expect(errors).toEqual([]);
});

test('a wrong password shows one message with links to reset and sign up', async ({ page }) => {
  const email = uniqueEmail('bob');
  await signUp(page, 'Bob Builder', email);
  await page.getByRole('button', { name: 'Sign out' }).click();

  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('not my password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('The email or password is wrong.');
  await expect(page.getByRole('link', { name: /forgot/i })).toBeVisible();
  await expect(page.getByRole('link', { name: /sign up/i }).first()).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await snap(page, 'sign-in-wrong-password');
});

test('sign-up shows field errors from the API beside their fields', async ({ page }) => {
  await page.goto('/sign-up');
  await page.getByLabel('Name').fill('Cleo');
  await page.getByLabel('Email').fill(uniqueEmail('cleo'));
  await page.getByLabel('Password').fill('password1');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByText('This password is too common')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Create your partner account' })).toBeVisible();
  await snap(page, 'sign-up-field-error');
});

test('signing up again with an existing email and another password points to sign-in and reset', async ({ page }) => {
  const email = uniqueEmail('dup');
  await signUp(page, 'Dee Uplicate', email);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.goto('/sign-up');
  await page.getByLabel('Name').fill('Someone Else');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('another passphrase');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByRole('alert')).toContainText('already exists');
  await expect(page.getByRole('link', { name: /sign in/i }).first()).toBeVisible();
});

test('a partner resets a forgotten password with the emailed link, once', async ({ page, request }) => {
  const email = uniqueEmail('eve');
  await signUp(page, 'Eve Forgetful', email);
  await page.getByRole('button', { name: 'Sign out' }).click();

  await page.goto('/forgot-password');
  await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeVisible();
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByText(/if an account exists/i)).toBeVisible();
  await snap(page, 'forgot-password');

  const mail = await latestEmailTo(request, email);
  expect(mail.subject).toContain('Reset');
  const link = mail.body.match(/https?:\/\/\S+reset-password\?token=[\w-]+/)?.[0];
  expect(link, mail.body).toBeTruthy();

  await page.goto(link!);
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await snap(page, 'reset-password');
  await page.getByLabel('Password').fill('a fresh new passphrase');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByRole('status')).toContainText('Your password has been changed.');
  await page.getByRole('link', { name: 'Go to sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  await signIn(page, email, 'a fresh new passphrase');
  await page.getByRole('button', { name: 'Sign out' }).click();

  // The link worked once.
  await page.goto(link!);
  await page.getByLabel('Password').fill('yet another passphrase');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByRole('alert')).toContainText(/invalid, used or expired/);

  // The old password no longer works.
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('The email or password is wrong.');
});
