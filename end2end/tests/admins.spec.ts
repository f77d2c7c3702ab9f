import { expect, Page, test } from '@playwright/test';
import { hydrated, screenshots, signIn } from './helpers';

/** The first user on the oldest-first list that has cameras: its card path and camera IDs. */
async function userWithCameras(page: Page): Promise<{ path: string; cameras: string[] }> {
  const hrefs = await page.locator('table tbody tr a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href')!));
  for (const href of hrefs) {
    const path = href.replace(/\/user$/, '/cameras');
    await page.goto(path);
    await hydrated(page);
    const rows = page.locator('table tbody tr');
    await expect(page.getByText(/^\d+ cameras?$|No cameras you may see/).first()).toBeVisible();
    if ((await rows.count()) >= 2) {
      const cameras = await rows.locator('td:first-child').allInnerTexts();
      return { path, cameras: cameras.map((c) => c.trim()) };
    }
  }
  throw new Error('no demo user with two cameras on the first page');
}

test('a scoped administrator sees only the cameras in scope', async ({ page, browser }) => {
  await signIn(page, '/users?sort=oldest');
  const { path, cameras } = await userWithCameras(page);
  const login = `scoped-${Date.now()}`;

  await page.goto('/administrators');
  await hydrated(page);
  await page.getByRole('button', { name: 'New administrator' }).click();
  const form = page.getByRole('form', { name: 'New administrator' });
  await form.getByLabel('Login').fill(login);
  await form.getByLabel('Name').fill('Scoped Operator');
  await form.getByLabel('Password').fill('scoped-password');
  await form.getByRole('checkbox', { name: /users-view/ }).check();
  await form.getByRole('radio', { name: 'Only these locations and cameras' }).check();
  await form.getByLabel('Cameras (IDs)').fill(cameras[0]);
  await screenshots(page, 'administrator-new');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText(`Created ${login}.`)).toBeVisible();
  const row = page.getByRole('row', { name: new RegExp(login) });
  await expect(row).toContainText(`Cameras ${cameras[0]}`);
  await screenshots(page, 'administrators');

  const scoped = await browser.newPage();
  await signIn(scoped, path, { login, password: 'scoped-password' });
  const rows = scoped.locator('table tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first().locator('td').first()).toHaveText(cameras[0]);
  await expect(scoped.getByText('1 camera', { exact: true })).toBeVisible();
  // Without admins-manage the page and its link are closed to them.
  await expect(scoped.getByRole('link', { name: 'Administrators' })).toHaveCount(0);
  await scoped.goto('/administrators');
  await expect(scoped.getByRole('alert')).toContainText('Access denied');
  await screenshots(scoped, 'scoped-cameras');

  // The audit log shows who created them.
  await page.goto(`/audit-log?action=admin.create`);
  await hydrated(page);
  await expect(page.getByRole('row', { name: new RegExp(login) })).toContainText('admin');
  await screenshots(page, 'audit-log');
});

test('an Access Settings edit is saved and seen after reload', async ({ page }) => {
  await signIn(page, '/users?sort=oldest');
  const href = await page.locator('table tbody tr a').nth(2).getAttribute('href');
  const path = href!.replace(/\/user$/, '/access-settings');
  await page.goto(path);
  await hydrated(page);
  const ptz = page.getByRole('checkbox', { name: /\(ptz-control\)/ });
  const was = await ptz.isChecked();
  await ptz.setChecked(!was);
  await expect(page.getByText('1 unsaved change')).toBeVisible();
  await screenshots(page, 'access-settings-unsaved');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText('Saved.');
  await expect(page.getByText('1 unsaved change')).toHaveCount(0);
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('checkbox', { name: /\(ptz-control\)/ })).toBeChecked({ checked: !was });
});
