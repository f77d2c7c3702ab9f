import { expect, Page, test } from '@playwright/test';
import { DEMO_ADMIN, hydrated, screenshots, signIn, someCsa } from './helpers';

/** Fails the test on any Content-Security-Policy violation the page reports. */
function watchPolicy(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to (execute|load|apply|connect)/i.test(msg.text())) violations.push(msg.text());
  });
  return violations;
}

test('a scoped administrator is offered nothing wider than it holds', async ({ page, browser }) => {
  const violations = watchPolicy(page);
  await signIn(page);
  const csa = await someCsa(page);
  const login = `lead-${Date.now()}`;
  await page.goto('/administrators');
  await hydrated(page);
  await page.getByRole('button', { name: 'New administrator' }).click();
  const form = page.getByRole('form', { name: 'New administrator' });
  await form.getByLabel('Login').fill(login);
  await form.getByLabel('Password').fill('lead-password');
  await form.getByRole('checkbox', { name: /\(admins-manage\)/ }).check();
  await form.getByRole('radio', { name: 'Only these locations and cameras' }).check();
  await form.getByLabel('Locations (CSA codes)').fill(csa);
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText(`Created ${login}.`)).toBeVisible();

  const lead = await browser.newPage();
  const leadViolations = watchPolicy(lead);
  await signIn(lead, '/administrators', { login, password: 'lead-password' });
  // Itself, but not the superadmin nor anyone of wider scope.
  const rows = lead.locator('table tbody tr');
  await expect(rows.filter({ hasText: login })).toHaveCount(1);
  await expect(rows.filter({ has: lead.locator('td:first-child', { hasText: new RegExp(`^${DEMO_ADMIN.login}$`) }) })).toHaveCount(0);
  await expect(rows.filter({ hasText: 'All cameras' })).toHaveCount(0);

  await lead.getByRole('button', { name: 'New administrator' }).click();
  const offer = lead.getByRole('form', { name: 'New administrator' });
  await expect(offer.getByRole('radio', { name: 'All cameras' })).toHaveCount(0);
  await expect(offer.getByLabel('Role')).toHaveCount(0);
  await expect(offer.getByText(/superadmin/)).toHaveCount(0);
  const permissions = offer.getByRole('group', { name: 'Console permissions' }).getByRole('checkbox');
  await expect(permissions).toHaveCount(2);
  await expect(offer.getByRole('checkbox', { name: /\(audit-view\)/ })).toHaveCount(0);
  const locations = offer.getByRole('group', { name: 'Locations (CSA codes)' }).getByRole('checkbox');
  await expect(locations).toHaveCount(1);
  await expect(locations.first()).toHaveAccessibleName(`Location ${csa}`);
  await screenshots(lead, 'administrator-new-scoped');

  // Its own row: grants fixed.
  await offer.getByRole('button', { name: 'Cancel' }).click();
  await lead.getByRole('button', { name: `Edit ${login}` }).click();
  const own = lead.getByRole('form', { name: 'Edit administrator' });
  for (const group of ['Console permissions', 'Camera scope']) {
    const inputs = own.getByRole('group', { name: group }).locator('input, textarea');
    expect(await inputs.count()).toBeGreaterThan(0);
    for (const input of await inputs.all()) await expect(input).toBeDisabled();
  }
  expect(violations).toEqual([]);
  expect(leadViolations).toEqual([]);
});

test('a sign-in with a hostile next lands on the users list', async ({ page }) => {
  const violations = watchPolicy(page);
  for (const next of ['//evil.example/', '/\\evil.example', '/%09/evil.example', 'https://evil.example/']) {
    await page.context().clearCookies();
    await page.goto(`/login?next=${encodeURIComponent(next)}`);
    await hydrated(page);
    await page.getByLabel('Login').fill(DEMO_ADMIN.login);
    await page.getByLabel('Password').fill(DEMO_ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/users');
    expect(new URL(page.url()).host).toBe('127.0.0.1:3100');
    await hydrated(page);
  }
  expect(violations).toEqual([]);
});
