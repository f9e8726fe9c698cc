// The links page (T1, T2, T5): a new link with a code of the partner's own and a promo
// code, its QR code downloaded as PNG, JPG and SVG, share buttons, its settings, and
// disabling it — each checked against what the API stores.
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { PartnerApi, horizontalOverflow, signUp, snap, uniqueEmail } from './support';

/** Opens the links page from the partner's menu. */
async function openLinks(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Links' }).click();
  await expect(page.getByRole('heading', { name: 'Links', level: 1 })).toBeVisible();
}

/** A code no other run has: letters and digits, as the pattern asks. */
function uniqueCode(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
}

test('a partner creates a link with their own code and a promo code, downloads its QR code in each format, shares and disables it', async ({ page, request, baseURL }) => {
  const email = uniqueEmail('lena');
  await signUp(page, 'Lena Links', email);
  const api = await PartnerApi.signIn(request, email);
  await openLinks(page);
  // The default link is there, with its figures, and its panel is open.
  const { url: defaultUrl } = await api.defaultLink();
  await expect(page.getByRole('row').filter({ hasText: defaultUrl })).toContainText('Default');
  await expect(page.getByRole('region', { name: 'Default link' })).toBeVisible();

  await page.getByRole('button', { name: 'New link' }).click();
  const form = page.getByRole('form', { name: 'New link' });
  // A reserved code is refused beside its field before anything is sent.
  await form.getByLabel('Your own code').fill('admin');
  await form.getByRole('button', { name: 'Create link' }).click();
  await expect(page.locator('#link-code-error')).toContainText('reserved');

  const code = uniqueCode('lena');
  const promo = `L${Date.now().toString(36)}`.toUpperCase();
  await form.getByLabel('Label').fill('Spring newsletter');
  await form.getByLabel('Your own code').fill(code);
  await form.getByLabel('Promo code').fill(promo.toLowerCase());
  await form.getByRole('button', { name: 'Create link' }).click();
  await expect(form).toHaveCount(0);

  // The table shows it as the API stored it: the promo code upper-cased, no clicks yet.
  const stored = (await api.get('/api/v1/links')).items.find((l: { code: string }) => l.code === code);
  expect(stored).toMatchObject({ label: 'Spring newsletter', promo_code: promo, disabled: false, url: `${baseURL}/r/${code}` });
  const row = page.getByRole('row').filter({ hasText: `/r/${code}` });
  await expect(row).toContainText('Spring newsletter');
  await expect(row).toContainText(`Promo code ${promo}`);
  await expect(row).toContainText('Active');
  await expect(row.getByRole('cell').nth(1)).toHaveText('0');
  await expect(row.getByRole('cell').nth(5)).toHaveText('—');

  // The same code again is the server's 422, beside the field.
  await page.getByRole('button', { name: 'New link' }).click();
  await form.getByLabel('Your own code').fill(code);
  await form.getByRole('button', { name: 'Create link' }).click();
  await expect(page.locator('#link-code-error')).toBeVisible();
  await page.getByRole('button', { name: 'New link' }).click();

  // The new link's panel: its address, the share buttons and the QR code.
  await expect(page.getByRole('region', { name: 'Spring newsletter' })).toBeVisible();
  const panel = page.locator('#link-panel');
  await expect(panel.getByRole('textbox', { name: 'Referral link' })).toHaveValue(stored.url);
  const preview = panel.getByRole('img', { name: `QR code of ${stored.url}` });
  await expect(preview).toBeVisible();
  await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);

  const magic: Record<string, (bytes: Buffer) => boolean> = {
    png: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
    jpg: (b) => b.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])),
    svg: (b) => /^(<\?xml[^>]*\?>\s*)?<svg[\s>]/.test(b.toString('utf8')),
  };
  for (const [name, extension] of [['PNG', 'png'], ['JPG', 'jpg'], ['SVG', 'svg']]) {
    const downloading = page.waitForEvent('download');
    await panel.getByRole('link', { name: `Download ${name}` }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(`partnerly-${code}.${extension}`);
    const bytes = await readFile(await download.path());
    expect(bytes.length).toBeGreaterThan(100);
    expect(magic[extension](bytes), `${name} starts with its magic bytes`).toBe(true);
  }

  // Share buttons open the networks in a new tab with the link and the edited message.
  const encoded = encodeURIComponent(stored.url);
  const x = panel.getByRole('link', { name: 'Share on X' });
  await expect(x).toHaveAttribute('target', '_blank');
  await expect(x).toHaveAttribute('rel', 'noopener');
  await expect(x).toHaveAttribute('href', `https://twitter.com/intent/tweet?text=${encodeURIComponent('Try Referral program:')}&url=${encoded}`);
  await panel.getByLabel('Message').fill(`Spring offer! ${stored.url}`);
  await expect(panel.getByRole('link', { name: 'Share on WhatsApp' }))
    .toHaveAttribute('href', `https://wa.me/?text=${encodeURIComponent(`Spring offer! ${stored.url}`)}`);
  await expect(panel.getByRole('link', { name: 'Share on Telegram' }))
    .toHaveAttribute('href', `https://t.me/share/url?url=${encoded}&text=${encodeURIComponent('Spring offer!')}`);
  await expect(panel.getByRole('link', { name: 'Share on Facebook' }))
    .toHaveAttribute('href', `https://www.facebook.com/sharer/sharer.php?u=${encoded}`);
  await snap(page, 'links');

  // Settings: a new label, the promo code removed.
  const settings = panel.getByRole('form', { name: 'Link settings' });
  await settings.getByLabel('Label').fill('Summer newsletter');
  await settings.getByLabel('Promo code').fill('');
  await settings.getByRole('button', { name: 'Save link' }).click();
  await expect(settings.getByRole('status')).toHaveText('Saved');
  await expect(row).toContainText('Summer newsletter');
  await expect(row).not.toContainText('Promo code');
  const renamed = await api.get(`/api/v1/links/${stored.id}`);
  expect(renamed).toMatchObject({ label: 'Summer newsletter', promo_code: null });

  // Disabled: marked in the table and the panel, and stored.
  await expect(page.getByRole('region', { name: 'Summer newsletter' })).toBeVisible();
  await panel.getByRole('button', { name: 'Disable link' }).click();
  await expect(row).toContainText('Disabled');
  await expect(panel.getByRole('button', { name: 'Enable link' })).toBeVisible();
  await expect(panel).toContainText('Disabled: visitors still reach the program\'s page');
  expect((await api.get(`/api/v1/links/${stored.id}`)).disabled).toBe(true);
  await snap(page, 'links-disabled');
});

test('the links page fits 375 px without horizontal scrolling and uses the width at 1440 px', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 812 });
  await signUp(page, 'Milo Links', uniqueEmail('milol'));
  await openLinks(page);
  await expect(page.getByRole('link', { name: 'Download PNG' })).toBeVisible();
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  await snap(page, 'links-375');

  // A link chosen in the table further down brings its panel into view.
  await page.getByRole('button', { name: 'New link' }).click();
  await page.getByRole('form', { name: 'New link' }).getByLabel('Label').fill('Phone campaign');
  await page.getByRole('button', { name: 'Create link' }).click();
  await expect(page.getByRole('region', { name: 'Phone campaign' })).toBeInViewport();
  await page.getByRole('button', { name: 'Share and edit Default link' }).click();
  await expect(page.getByRole('region', { name: 'Default link' })).toBeInViewport();
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);

  await page.setViewportSize({ width: 1440, height: 900 });
  await expect(page.getByRole('table')).toBeVisible();
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  // The whole table fits beside the sidebar, its buttons included.
  expect(await page.locator('.table-scroll').evaluate((frame) => frame.scrollWidth <= frame.clientWidth)).toBe(true);
  await snap(page, 'links-1440');
});
