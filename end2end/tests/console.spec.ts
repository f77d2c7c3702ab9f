import { expect, test } from '@playwright/test';
import { DEMO_ADMIN, hydrated, screenshots, signIn } from './helpers';

test('a console page without a session redirects to sign-in and back', async ({ page }) => {
  await page.goto('/users?status=paused');
  await expect(page).toHaveURL(/\/login\?next=%2Fusers%3Fstatus%3Dpaused/);
  await hydrated(page);
  await page.getByLabel('Login').fill(DEMO_ADMIN.login);
  await page.getByLabel('Password').fill(DEMO_ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/users\?status=paused$/);
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'paused' }).first()).toBeVisible();
});

test('wrong credentials get one generic message', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('Login').fill('admin');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong login or password.');
  await expect(page).toHaveURL(/\/login/);
});

test('sign in, search users, open a user and see every tab', async ({ page }) => {
  // Oldest first: demo users (other journeys add new users).
  await signIn(page, '/users?sort=oldest');
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
  const rows = page.locator('table tbody tr');
  await expect(rows.first()).toBeVisible();
  await screenshots(page, 'users-list');

  // Search by the login of the first row.
  const login = (await rows.first().locator('td').nth(2).innerText()).trim();
  await page.getByLabel('Search by name or login').fill(login);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(login).replace(/\./g, '\\.')}`));
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(login);

  await rows.first().getByRole('link').click();
  await expect(page).toHaveURL(/\/users\/\d+\/user$/);
  await hydrated(page);
  const summary = page.getByRole('region', { name: 'User summary' });
  for (const label of ['User ID', 'Username', 'Login', 'Creation date']) {
    await expect(summary.getByText(label, { exact: true })).toBeVisible();
  }
  await expect(summary).toContainText(login);
  await expect(page.getByRole('button', { name: 'Log in as User' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Synchronize cameras' })).toBeVisible();
  const tablist = page.getByRole('tablist');
  await expect(tablist.getByRole('tab', { name: 'User', exact: true })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByText('Billing entity ID')).toBeVisible();

  const columns: Record<string, string[]> = {
    Cameras: ['ID', 'Name', 'Status', 'Location'],
    'Billing Events': ['ID', 'Type', 'Created at'],
  };
  for (const [tab, headers] of Object.entries(columns)) {
    await tablist.getByRole('tab', { name: tab }).click();
    await expect(tablist.getByRole('tab', { name: tab })).toHaveAttribute('aria-selected', 'true');
    for (const h of headers) {
      await expect(page.getByRole('columnheader', { name: h, exact: true })).toBeVisible();
    }
  }
  await tablist.getByRole('tab', { name: 'Billing Events' }).click();
  await expect(page.getByRole('cell', { name: /Billing\. New entity billing\.new_entity/ })).toBeVisible();
  await page.getByRole('button', { name: 'Details' }).last().click();
  const details = page.locator('tr.event-details:not([hidden])');
  await expect(details).toHaveCount(1);
  await expect(details).toContainText('Payload');
  await expect(details).toContainText('applied');
  await expect(details).not.toContainText('demo-password');
  await screenshots(page, 'user-billing-events');

  await tablist.getByRole('tab', { name: 'Access Settings' }).click();
  await expect(page.getByRole('checkbox', { name: /Watch live video \(cameras-live\)/ })).toBeVisible();
  await screenshots(page, 'user-access-settings');

  await tablist.getByRole('tab', { name: 'Intercoms' }).click();
  await expect(page.getByText(/Name|not linked/).first()).toBeVisible();
});

test('a user with sub-users and licences shows those tabs with their columns', async ({ page }) => {
  // Oldest first: demo users (other journeys add users of their own).
  await signIn(page, '/users?sort=oldest');
  // Walk the first page of users to find one with both tabs (demo data has several).
  const hrefs = await page.locator('table tbody tr a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href')!));
  let found = false;
  for (const href of hrefs) {
    await page.goto(href.replace(/\/user$/, '/cameras'));
    await hydrated(page);
    const tablist = page.getByRole('tablist');
    await expect(tablist.getByRole('tab', { name: 'Cameras' })).toHaveAttribute('aria-selected', 'true');
    if ((await tablist.getByRole('tab', { name: 'Analytics' }).count()) === 0) continue;
    await tablist.getByRole('tab', { name: 'Analytics' }).click();
    for (const h of ['Video analytics level', 'Total number of licenses', 'Used number of licenses', 'Free number of licenses']) {
      await expect(page.getByRole('columnheader', { name: h })).toBeVisible();
    }
    if ((await tablist.getByRole('tab', { name: 'Sub-users' }).count()) === 0) continue;
    await tablist.getByRole('tab', { name: 'Sub-users' }).click();
    for (const h of ['ID', 'Name', 'Login', 'Created at']) {
      await expect(page.getByRole('columnheader', { name: h, exact: true })).toBeVisible();
    }
    await screenshots(page, 'user-sub-users');
    found = true;
    break;
  }
  expect(found).toBeTruthy();
});

test('sign-out ends the session', async ({ page }) => {
  await signIn(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login/);
  await page.goto('/users');
  await expect(page).toHaveURL(/\/login\?next=%2Fusers/);
});
