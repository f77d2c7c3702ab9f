import { expect, Page } from '@playwright/test';

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
