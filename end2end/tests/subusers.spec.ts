import { expect, test } from '@playwright/test';
import { hydrated, screenshots, signIn } from './helpers';

const LEVEL_TYPES: Record<string, string[]> = {
  '1': ['loud-sounds', 'smoke-fire', 'line-intersection', 'camera-obstacle', 'motion-detect'],
  '2': ['person-counting', 'visitor-counting'],
  '3': ['face', 'license-plate', 'container-number-recognition'],
};

test("a sub-user's editor offers only what the parent allows, and saves", async ({ page }) => {
  await signIn(page, '/users?sort=oldest');
  const hrefs = await page.locator('table tbody tr a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href')!));
  for (const href of hrefs) {
    await page.goto(href.replace(/\/user$/, '/sub-users'));
    await hydrated(page);
    const tablist = page.getByRole('tablist');
    if ((await tablist.getByRole('tab', { name: 'Sub-users' }).count()) === 0) continue;
    if ((await page.getByRole('link', { name: /^Permissions of / }).count()) === 0) continue;

    // The parent's licensed levels, from its Analytics tab (none when the tab is absent).
    const licensed: string[] = [];
    if ((await tablist.getByRole('tab', { name: 'Analytics' }).count()) > 0) {
      await tablist.getByRole('tab', { name: 'Analytics' }).click();
      await expect(page.getByRole('columnheader', { name: 'Video analytics level' })).toBeVisible();
      for (const level of await page.locator('table tbody tr td:first-child').allInnerTexts()) licensed.push(level.replace('Level', '').trim());
      await tablist.getByRole('tab', { name: 'Sub-users' }).click();
    }
    if (licensed.length === 3) continue; // every level licensed: nothing to hide

    await page.getByRole('link', { name: /^Permissions of / }).first().click();
    const editor = page.getByRole('region', { name: 'Sub-user permissions' });
    await expect(editor.getByRole('checkbox').first()).toBeVisible();
    await expect(editor.getByRole('checkbox', { name: /\(subusers-manage\)/ })).toHaveCount(0);
    for (const [level, types] of Object.entries(LEVEL_TYPES)) {
      if (licensed.includes(level)) continue;
      for (const t of types) {
        // Not offered: absent, or shown (stored earlier) but disabled as not effective.
        const box = editor.getByRole('checkbox', { name: new RegExp(`\\(analytic-cases-${t}\\)`) });
        if ((await box.count()) > 0) await expect(box).toBeDisabled();
      }
    }
    await screenshots(page, 'sub-user-permissions');

    const first = editor.getByRole('checkbox', { disabled: false }).first();
    const name = (await first.getAttribute('id'))!;
    const was = await first.isChecked();
    await first.setChecked(!was);
    await expect(editor.getByText('1 unsaved change')).toBeVisible();
    await editor.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(editor.getByRole('alert')).toHaveText('Saved.');
    await page.reload();
    await hydrated(page);
    await expect(page.locator(`#${name}`)).toBeChecked({ checked: !was });
    return;
  }
  throw new Error('no demo user with sub-users and an unlicensed level on the first page');
});

test('the Analytics tab counts a case created through the client API', async ({ page, request }) => {
  await signIn(page, '/users?sort=oldest');
  const hrefs = await page.locator('table tbody tr a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href')!));
  for (const href of hrefs) {
    await page.goto(href.replace(/\/user$/, '/analytics'));
    await hydrated(page);
    const level1 = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'Level 1', exact: true }) }).first();
    if ((await page.getByRole('columnheader', { name: 'Video analytics level' }).count()) === 0) continue;
    if ((await level1.count()) === 0) continue;
    const [, total, used, free] = (await level1.getByRole('cell').allInnerTexts()).map((t) => Number(t.trim()));
    if (free < 1) continue;
    const summary = page.getByRole('region', { name: 'User summary' });
    if ((await summary.locator('.badge').innerText()).trim() !== 'active') continue;
    const login = (await summary.locator('dd').nth(2).innerText()).trim();
    await page.getByRole('tablist').getByRole('tab', { name: 'Cameras' }).click();
    await expect(page.getByText(/^\d+ cameras?$|No cameras you may see/).first()).toBeVisible();
    const ids = await page.locator('table tbody tr td:first-child').allInnerTexts();
    if (ids.length === 0) continue;

    const session = await request.post('/api/client/v1/sessions', { data: { login, password: 'demo-password' } });
    expect(session.status()).toBe(201);
    const { token } = await session.json();
    const created = await request.post('/api/client/v1/cases', {
      headers: { Authorization: `Bearer ${token}` },
      data: { name: 'E2E motion', type: 'motion-detect', camera_ids: [Number(ids[0])] },
    });
    expect(created.status(), await created.text()).toBe(201);

    await page.goto(href.replace(/\/user$/, '/analytics'));
    await hydrated(page);
    await expect(level1.getByRole('cell')).toHaveText(['Level 1', String(total), String(used + 1), String(free - 1)]);
    await screenshots(page, 'user-analytics');
    return;
  }
  throw new Error('no demo user with a free level-1 licence and a camera on the first page');
});
