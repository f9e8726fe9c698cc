// Helpers shared by the browser tests: unique accounts, the admin's view of the outbox,
// the vendor's events API, the partner's API figures, money as the portal writes it,
// screenshots under e2e/artifacts/.
import { expect, type APIRequestContext, type Page } from '@playwright/test';

export const PASSWORD = 'correct horse battery';
export const ADMIN = { email: 'admin@e2e.test', password: 'e2e admin passphrase' };
/** Finance staff: adjustments only, among the admin pages. */
export const FINANCE = { email: 'finance@e2e.test', password: 'e2e admin passphrase' };
/** A program manager: programs and deals, among the admin pages. */
export const MANAGER = { email: 'manager@e2e.test', password: 'e2e admin passphrase' };
/** A desktop browser's user agent: the redirect counts Playwright's own ("HeadlessChrome") as a bot. */
export const VISITOR_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
/** The events API key serve.sh stores (scope `events:write`). */
export const EVENTS_KEY = 'pk_live_e2e_events_key_0123456789abcdef';

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

/** Signs up through the portal's form and waits for the dashboard, where partners land. */
export async function signUp(page: Page, name: string, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/sign-up');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();
}

/** Signs in through the portal's form and waits for the dashboard. */
export async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();
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

/** Opens the profile page from the navigation. */
export async function openProfile(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Profile' }).click();
  await expect(page.getByRole('heading', { name: 'Profile', level: 1 })).toBeVisible();
}

/** How far the page scrolls sideways (0 when everything fits the viewport's width). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** An amount as the API sends it. */
export type Money = { amount: string; currency: string };

/** Money as the portal writes it (frontend/src/format.rs): "$1,234.50", "−$5.00", "1,000 JPY". */
export function formatMoney(money: Money): string {
  const negative = money.amount.startsWith('-');
  const [whole, fraction] = money.amount.replace(/^-/, '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const number = fraction ? `${grouped}.${fraction}` : grouped;
  const sign = negative ? '\u2212' : '';
  const symbol = ({ USD: '$', EUR: '€', GBP: '£' } as Record<string, string>)[money.currency];
  return symbol ? `${sign}${symbol}${number}` : `${sign}${number} ${money.currency}`;
}

/** A day as the portal writes it, in UTC: "Nov 21, 2026". */
export function formatDate(rfc3339: string): string {
  return new Date(rfc3339).toLocaleDateString('en-US', {
    month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC',
  });
}

/** A signed-in partner on the API side: GET with their bearer token. */
export class PartnerApi {
  private constructor(private request: APIRequestContext, private token: string) {}

  static async signIn(request: APIRequestContext, email: string, password = PASSWORD): Promise<PartnerApi> {
    const login = await request.post('/api/v1/auth/login', { data: { email, password } });
    expect(login.status()).toBe(200);
    return new PartnerApi(request, (await login.json()).access_token);
  }

  async get(path: string): Promise<any> {
    const reply = await this.request.get(path, { headers: { Authorization: `Bearer ${this.token}` } });
    expect(reply.status(), await reply.text()).toBe(200);
    return reply.json();
  }

  /** The code of the partner's default referral link. */
  async defaultLink(): Promise<{ code: string; url: string }> {
    const { items } = await this.get('/api/v1/links');
    const link = items.find((l: { is_default: boolean }) => l.is_default);
    expect(link, JSON.stringify(items)).toBeTruthy();
    return link;
  }
}

/** A vendor event: `{id, type, occurred_at, data}`. */
export type VendorEvent = { id: string; type: string; occurred_at: string; data: Record<string, unknown> };

/** Sends events as the vendor's billing, in one batch, and checks none was rejected. */
export async function sendEvents(request: APIRequestContext, events: VendorEvent[]): Promise<void> {
  const reply = await request.post('/api/v1/events/batch', {
    headers: { Authorization: `Bearer ${EVENTS_KEY}` },
    data: { events },
  });
  expect(reply.status(), await reply.text()).toBe(200);
  const { results } = await reply.json();
  for (const result of results) {
    expect(result.status, JSON.stringify(result)).not.toBe('rejected');
  }
}

/**
 * Builds the vendor's events for one partner's customers, with ids unique to this run:
 * `billing.signUp('ann')`, `billing.pay('ann', '49.00')`, `billing.refund(paymentId, '5.00')`.
 */
export class Billing {
  readonly events: VendorEvent[] = [];
  private readonly run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  private count = 0;

  constructor(private refCode: string) {}

  private add(type: string, data: Record<string, unknown>, at = new Date().toISOString()): void {
    this.count += 1;
    this.events.push({ id: `evt_${this.run}_${this.count}`, type, occurred_at: at, data });
  }

  /** The vendor's id of a customer of this run. */
  customerId(name: string): string {
    return `cus_${this.run}_${name}`;
  }

  signUp(name: string): this {
    this.add('customer.signed_up', {
      customer_id: this.customerId(name),
      email: `${name}@example.com`,
      ref_code: this.refCode,
    });
    return this;
  }

  /** A payment in USD (now, unless `paidAt`); returns the payment id. */
  pay(name: string, amount: string, paidAt = new Date().toISOString()): string {
    const paymentId = `pay_${this.run}_${this.count + 1}`;
    this.add('payment.succeeded', {
      payment_id: paymentId, customer_id: this.customerId(name), amount, currency: 'USD', paid_at: paidAt,
    });
    return paymentId;
  }

  refund(paymentId: string, amount: string): this {
    this.add('payment.refunded', { payment_id: paymentId, amount });
    return this;
  }

  status(name: string, status: 'active' | 'frozen' | 'deleted'): this {
    this.add('customer.status_changed', { customer_id: this.customerId(name), status });
    return this;
  }

  async send(request: APIRequestContext): Promise<void> {
    await sendEvents(request, this.events);
    this.events.length = 0;
  }
}

/** Signs staff in through the portal's form and waits for the admin overview, where staff land. */
export async function signInAsStaff(page: Page, account = ADMIN): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Admin', level: 1 })).toBeVisible();
}

/** Opens an admin area from the admin navigation ("Programs", "API keys", ...). */
export async function openAdminArea(page: Page, area: string, heading = area): Promise<void> {
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: area, exact: true }).click();
  await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible();
}

/** The admin on the API side: requests with the admin's bearer token. */
export class AdminApi {
  private constructor(private request: APIRequestContext, private token: string) {}

  static async signIn(request: APIRequestContext): Promise<AdminApi> {
    const login = await request.post('/api/v1/auth/login', { data: ADMIN });
    expect(login.status()).toBe(200);
    return new AdminApi(request, (await login.json()).access_token);
  }

  private headers() {
    return { Authorization: `Bearer ${this.token}` };
  }

  async get(path: string): Promise<any> {
    const reply = await this.request.get(path, { headers: this.headers() });
    expect(reply.status(), await reply.text()).toBe(200);
    return reply.json();
  }

  /** Sends `data` with `method` and checks the status; returns the body, if any. */
  async send(method: 'POST' | 'PATCH' | 'DELETE', path: string, data: unknown, status: number): Promise<any> {
    const reply = await this.request.fetch(path, { method, headers: this.headers(), data });
    expect(reply.status(), await reply.text()).toBe(status);
    return status === 204 ? null : reply.json();
  }
}

/**
 * Points the default program at the server's own demo vendor page (`/demo/landing`, with
 * its "Contact us" form), on a domain the redirect may send visitors to. The e2e server
 * has no demo data, so its default program lands on the bare public URL otherwise.
 */
export async function landOnDemoPage(request: APIRequestContext, baseURL: string): Promise<void> {
  const admin = await AdminApi.signIn(request);
  const { items } = await admin.get('/api/v1/admin/programs');
  const program = items.find((p: { name: string }) => p.name === 'Referral program');
  expect(program, JSON.stringify(items)).toBeTruthy();
  const landing = `${baseURL}/demo/landing`;
  if (program.landing_url !== landing) {
    await admin.send('PATCH', `/api/v1/admin/programs/${program.id}`, {
      landing_url: landing, allowed_domains: [new URL(baseURL).hostname],
    }, 200);
  }
}

/** A day as the chart writes it under its axis, in UTC: "Nov 3". */
export function formatDay(day: Date): string {
  return day.toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
}
