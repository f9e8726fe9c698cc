// API keys (E3) and webhook endpoints (I2) from the admin pages: secrets shown once, a
// new key working against the events API until revoked, and a webhook endpoint's test
// message, delivery log and redelivery, received by a small HTTP server in the test.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { openAdminArea, signInAsStaff, snap } from './support';

/** A customer sign-up event, unique to this run. */
function signUpEvent(tag: string) {
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return {
    id: `evt_${tag}_${run}`,
    type: 'customer.signed_up',
    occurred_at: new Date().toISOString(),
    data: { customer_id: `cus_${tag}_${run}` },
  };
}

test('an admin creates an API key, sees its secret once, the key works until it is revoked', async ({ page, request }) => {
  await signInAsStaff(page);
  await openAdminArea(page, 'API keys');
  const form = page.getByRole('form', { name: 'New API key' });

  // Without a scope the key is refused, beside the scopes.
  const name = `Billing ${Date.now()}`;
  await form.getByLabel('Key name').fill(name);
  await form.getByLabel(/^events:write/).uncheck();
  await form.getByRole('button', { name: 'Create key' }).click();
  await expect(page.locator('#key-scopes-error')).toHaveText('Give the key at least one scope.');
  await form.getByLabel(/^events:write/).check();
  await form.getByRole('button', { name: 'Create key' }).click();

  const panel = page.getByRole('region', { name: 'Your new API key' });
  await expect(panel).toContainText('shown only once');
  const secret = await panel.getByRole('textbox', { name: 'Secret' }).inputValue();
  expect(secret).toMatch(/^pk_live_/);
  await snap(page, 'admin-api-key-created');

  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText(`${secret.slice(0, 12)}…`);
  await expect(row).toContainText('events:write');
  await expect(row).toContainText('Never');
  await expect(row).toContainText('Active');

  // The key works against the events API.
  const accepted = await request.post('/api/v1/events', {
    headers: { Authorization: `Bearer ${secret}` }, data: signUpEvent('key'),
  });
  expect(accepted.status(), await accepted.text()).toBeLessThan(300);

  // Once dismissed, the secret is gone for good: not on the page, not after a reload.
  await panel.getByRole('button', { name: 'I have copied it' }).click();
  await expect(panel).toHaveCount(0);
  await page.reload();
  await expect(row).toBeVisible();
  await expect(page.getByText(secret)).toHaveCount(0);
  await expect(row).not.toContainText('Never');

  // Revoke, after confirming: the key gets 401 from then on.
  await row.getByRole('button', { name: `Revoke ${name}` }).click();
  await expect(row).toContainText('Everything using it gets 401');
  await row.getByRole('button', { name: 'Revoke key' }).click();
  await expect(row).toContainText('Revoked');
  await expect(row.getByRole('button', { name: `Revoke ${name}` })).toHaveCount(0);
  const refused = await request.post('/api/v1/events', {
    headers: { Authorization: `Bearer ${secret}` }, data: signUpEvent('revoked'),
  });
  expect(refused.status()).toBe(401);
});

/** A receiver that records every request and answers 200 "ok". */
async function receiver(): Promise<{ server: Server; url: string; received: IncomingHttpHeaders[] }> {
  const received: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(req.headers);
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/partnerly/hooks`, received };
}

test('an admin creates a webhook endpoint, sends a test message, reads the log and redelivers', async ({ page }) => {
  const hook = await receiver();
  try {
    await signInAsStaff(page);
    await openAdminArea(page, 'Webhooks');
    const form = page.getByRole('form', { name: 'New endpoint' });
    await form.getByLabel('URL').fill('not a url');
    await form.getByRole('button', { name: 'Create endpoint' }).click();
    await expect(page.locator('#webhook-url-error')).toBeVisible();

    await form.getByLabel('URL').fill(hook.url);
    await form.getByLabel('Description').fill('E2E receiver');
    await expect(form.getByLabel('All events (*), including future ones')).toBeChecked();
    await form.getByRole('button', { name: 'Create endpoint' }).click();
    const panel = page.getByRole('region', { name: 'Signing secret of the new endpoint' });
    await expect(panel.getByRole('textbox', { name: 'Secret' })).toHaveValue(/^whsec_/);
    const listed = page.getByRole('row').filter({ hasText: hook.url });
    await expect(listed).toContainText('All events');
    await expect(listed).toContainText('Active');

    await page.getByRole('link', { name: 'Open the new endpoint' }).click();
    await expect(page.getByRole('heading', { name: hook.url, level: 1 })).toBeVisible();
    await expect(page.getByText('Nothing sent yet')).toBeVisible();
    await page.getByRole('button', { name: 'Send test message' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Test message queued' })).toBeVisible();

    // The log updates by itself until the delivery is done.
    const delivery = page.getByRole('row').filter({ hasText: 'webhook.test' });
    await expect(delivery).toContainText('Delivered');
    await expect(delivery).toContainText('HTTP 200 · ok');
    const attempts = delivery.locator('details.attempts summary');
    await expect(attempts).toHaveText('1');
    // The body exactly as signed, to check a signature against.
    await delivery.getByText('Body as signed').click();
    await expect(delivery.locator('details.delivery-body pre')).toContainText('"type":"webhook.test"');
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]['webhook-signature']).toMatch(/^v1,/);
    await snap(page, 'admin-webhook-log');

    await delivery.getByRole('button', { name: 'Redeliver webhook.test' }).click();
    await expect(attempts).toHaveText('2');
    await expect(delivery).toContainText('Delivered');
    expect(hook.received).toHaveLength(2);
    await attempts.click();
    await expect(delivery.getByRole('listitem')).toHaveCount(2);

    // Rotating the secret shows the new one once.
    await page.getByRole('button', { name: 'Rotate secret', exact: true }).click();
    await page.getByRole('button', { name: 'Rotate secret now' }).click();
    await expect(page.getByRole('region', { name: 'New signing secret' }).getByRole('textbox', { name: 'Secret' }))
      .toHaveValue(/^whsec_/);

    // A disabled endpoint refuses test messages with the API's reason.
    await page.getByRole('button', { name: 'Disable' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Disabled: nothing is sent' })).toBeVisible();
    await page.getByRole('button', { name: 'Send test message' }).click();
    await expect(page.getByRole('alert').filter({ hasText: /activate|inactive|disabled/i })).toBeVisible();

    // Deleted after confirming: back on the list, without it.
    await page.getByRole('button', { name: 'Delete endpoint' }).click();
    await page.getByRole('button', { name: 'Delete endpoint' }).click();
    await expect(page.getByRole('heading', { name: 'Webhooks', level: 1 })).toBeVisible();
    await expect(page.getByRole('row').filter({ hasText: hook.url })).toHaveCount(0);
  } finally {
    hook.server.close();
  }
});
