import { APIRequestContext, expect, Page } from '@playwright/test';

export const DEMO_ADMIN = { login: 'admin', password: 'admin-demo-2026' };

/** Waits until the app has hydrated (the app marks <body data-hydrated>). */
export async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated]')).toBeAttached();
}

export async function signIn(page: Page, next = '/users', who = DEMO_ADMIN) {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await hydrated(page);
  await page.getByLabel('Login').fill(who.login);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname + url.search === next);
  await hydrated(page);
}

/** Saves a screenshot at phone and desktop width as a test artifact. */
export async function screenshots(page: Page, name: string) {
  for (const [label, width] of [['phone', 390], ['desktop', 1280]] as const) {
    await page.setViewportSize({ width, height: label === 'phone' ? 844 : 800 });
    await page.screenshot({ path: `artifacts/${name}-${label}.png`, fullPage: true });
  }
}

/** Sends a billing request with the test server's token; expects it applied. */
export async function billing(request: APIRequestContext, data: Record<string, unknown>) {
  const res = await request.post('/api/billing/v1/requests', { headers: { Authorization: 'Bearer e2e-billing-token' }, data });
  expect(res.status(), await res.text()).toBe(200);
  return res.json();
}

/** A CSA code of the directory, read from a demo camera's profile. */
export async function someCsa(page: Page): Promise<string> {
  for (let id = 1; id < 30; id++) {
    await page.goto(`/cameras/${id}/general`);
    const m = (await page.locator('main').innerText()).match(/\(CSA ([^)]+)\)/);
    if (m) return m[1];
  }
  throw new Error('no placed demo camera');
}
