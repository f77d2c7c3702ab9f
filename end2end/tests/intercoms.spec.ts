import { expect, Page, test } from '@playwright/test';
import { hydrated, screenshots, signIn } from './helpers';

/** Card paths of the first page of users, oldest first. */
async function userCards(page: Page): Promise<string[]> {
  await signIn(page, '/users?sort=oldest');
  return page.locator('table tbody tr a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href')!));
}

test('a camera row in the Cameras tab opens the camera profile', async ({ page }) => {
  for (const href of await userCards(page)) {
    await page.goto(href.replace(/\/user$/, '/cameras'));
    await hydrated(page);
    await expect(page.getByText(/^\d+ cameras?$|No cameras you may see/).first()).toBeVisible();
    const row = page.locator('table tbody tr').filter({ hasNot: page.getByText('Not placed') }).first();
    if ((await row.count()) === 0) continue;
    const id = (await row.locator('td').first().innerText()).trim();
    await row.getByRole('link').click();
    await expect(page).toHaveURL(new RegExp(`/cameras/${id}/general$`));
    await hydrated(page);
    const general = page.getByRole('tabpanel', { name: 'General data' });
    for (const label of ['ID', 'MAC', 'Serial number', 'Model', 'Location', 'Status', 'Created']) {
      await expect(general.getByText(label, { exact: true })).toBeVisible();
    }
    await expect(general.getByRole('heading', { name: 'Users with access' })).toBeVisible();
    await screenshots(page, 'camera-profile');
    return;
  }
  throw new Error('no demo user with a placed camera on the first page');
});

test('link another user to a flat with a key from the intercom card', async ({ page }) => {
  const cards = await userCards(page);
  // The first user with an intercom apartment, and another user's login to link.
  let intercomHref = '';
  let ownerCard = '';
  for (const href of cards) {
    await page.goto(href.replace(/\/user$/, '/intercoms'));
    await hydrated(page);
    const link = page.locator('table tbody tr td:first-child a').first();
    await expect(page.getByText(/apartments?$|not linked to any intercom/).first()).toBeVisible();
    if ((await link.count()) > 0) {
      intercomHref = (await link.getAttribute('href'))!;
      ownerCard = href;
      await link.click();
      break;
    }
  }
  expect(intercomHref).not.toBe('');
  await expect(page).toHaveURL(new RegExp(`${intercomHref}$`));
  await hydrated(page);
  await expect(page.getByRole('tab', { name: 'General data' })).toHaveAttribute('aria-selected', 'true');
  await screenshots(page, 'intercom-general');

  const other = cards.find((c) => c !== ownerCard)!;
  await page.goto(other);
  await hydrated(page);
  const login = (await page.getByRole('region', { name: 'User summary' }).locator('dd').nth(2).innerText()).trim();

  await page.goto(intercomHref.replace(/general$/, 'apartments'));
  await hydrated(page);
  const range = (await page.getByRole('region', { name: 'Intercom summary' }).innerText()).match(/flats (\d+)–(\d+)/)!;
  const flat = String(Number(range[1]));
  await page.getByLabel('Flat', { exact: true }).fill(flat);
  await page.getByLabel('User login').fill(login);
  await page.getByRole('button', { name: 'Link user' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Linked ${login} to flat ${flat}.` })).toBeVisible();
  const key = `E2E-${Date.now() % 100000}`;
  await page.getByLabel(`New key for ${login} in flat ${flat}`).fill(key);
  await page.getByLabel(`New key for ${login} in flat ${flat}`).press('Enter');
  await expect(page.getByRole('status').filter({ hasText: `Key ${key} added.` })).toBeVisible();
  await expect(page.locator('code', { hasText: key })).toBeVisible();
  await screenshots(page, 'intercom-apartments');

  await page.goto(other.replace(/\/user$/, '/intercoms'));
  await hydrated(page);
  const row = page.getByRole('row').filter({ hasText: key });
  await expect(row).toBeVisible();
  await expect(row.getByRole('cell').nth(3)).toHaveText(flat);
  await screenshots(page, 'user-intercoms');
});
