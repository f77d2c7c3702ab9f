import { expect, test } from '@playwright/test';
import { billing, hydrated, screenshots, signIn } from './helpers';

test('the dark theme is chosen once and stays after a reload, without a flash of the light one', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await signIn(page, '/users');
  const theme = page.getByRole('button', { name: 'Dark theme' });
  await expect(theme).toHaveAttribute('aria-pressed', 'false');
  const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  const light = await background();
  await theme.click();
  await expect(theme).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  const dark = await background();
  expect(dark).not.toBe(light);
  // The server renders the page dark: the HTML before any script says so.
  const html = await (await page.request.get('/users')).text();
  expect(html).toMatch(/<html[^>]*data-theme="dark"/);
  await page.reload();
  await hydrated(page);
  expect(await background()).toBe(dark);
  await expect(page.getByRole('button', { name: 'Dark theme' })).toHaveAttribute('aria-pressed', 'true');
  await screenshots(page, 'users-dark');
  // Back to light, which also stays.
  await page.getByRole('button', { name: 'Dark theme' }).click();
  await page.reload();
  await hydrated(page);
  expect(await background()).toBe(light);
});

test('without a choice, the theme follows the system', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await signIn(page, '/users');
  await expect(page.getByRole('button', { name: 'Dark theme' })).toHaveAttribute('aria-pressed', 'true');
  const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  expect(bg).toBe('rgb(13, 17, 23)');
});

test('"/" focuses the search box; results are grouped, arrow keys move through them, Enter opens the card', async ({ page, request }) => {
  const stamp = Date.now();
  const made = [];
  for (const n of ['a', 'b']) {
    made.push(await billing(request, {
      id: `search-${stamp}${n}`, type: 'billing.new_entity', entity: `SEARCH-${stamp}${n}`, login: `finder${stamp}${n}`,
      password: 'finder-password', name: `Findable Person ${stamp}${n}`,
    }));
  }
  await signIn(page, '/users');
  await page.keyboard.press('/');
  const box = page.getByRole('searchbox', { name: 'Search users, cameras, intercoms and locations' });
  await expect(box).toBeFocused();
  await box.fill(`finder${stamp}`);
  await box.press('Enter');
  await page.waitForURL(/\/search\?q=/);
  await hydrated(page);
  const users = page.getByRole('region', { name: 'Users' });
  // Newest first: b, then a.
  await expect(users.getByRole('link')).toHaveText([`Findable Person ${stamp}b`, `Findable Person ${stamp}a`]);
  await screenshots(page, 'search');
  // Tab reaches the first result; the arrows move between results; Enter opens one.
  await page.getByRole('heading', { name: 'Search', exact: true }).click();
  await page.keyboard.press('Tab');
  await expect(users.getByRole('link').first()).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(users.getByRole('link').nth(1)).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForURL(new RegExp(`/users/${made[0].user_id}/user$`));
  // "/" typed into a field stays in the field.
  await page.goto('/users');
  await hydrated(page);
  await page.getByLabel('Search by name or login').fill('a/b');
  await expect(page.getByLabel('Search by name or login')).toHaveValue('a/b');
});

test('every list offers its rows as CSV and JSON Lines, with the filters shown', async ({ page }) => {
  await signIn(page, '/users?status=paused&sort=name');
  const csv = page.getByRole('link', { name: 'CSV' });
  await expect(csv).toHaveAttribute('href', '/users/export?format=csv&sort=name&status=paused');
  const [download] = await Promise.all([page.waitForEvent('download'), csv.click()]);
  expect(download.suggestedFilename()).toMatch(/^users-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = await (await page.request.get('/users/export?format=csv&sort=name&status=paused')).text();
  const lines = text.trimEnd().split('\r\n');
  expect(lines[0]).toBe('ID,Name,Login,Status,Entity,Created');
  // The page's first row is the file's first row.
  const first = await page.locator('table tbody tr').first().locator('td[data-label="Login"]').innerText();
  expect(lines[1]).toContain(`,${first},paused,`);
  await expect(page.getByRole('link', { name: 'JSON Lines' })).toHaveAttribute('href', '/users/export?format=jsonl&sort=name&status=paused');
});
