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
    if ((await page.getByRole('link', { name: /^Edit permissions of / }).count()) === 0) continue;

    // The parent's licensed levels, from its Analytics tab (none when the tab is absent).
    const licensed: string[] = [];
    if ((await tablist.getByRole('tab', { name: 'Analytics' }).count()) > 0) {
      await tablist.getByRole('tab', { name: 'Analytics' }).click();
      await expect(page.getByRole('columnheader', { name: 'Video analytics level' })).toBeVisible();
      for (const level of await page.locator('table tbody tr td:first-child').allInnerTexts()) licensed.push(level.trim());
      await tablist.getByRole('tab', { name: 'Sub-users' }).click();
    }
    if (licensed.length === 3) continue; // every level licensed: nothing to hide

    await page.getByRole('link', { name: /^Edit permissions of / }).first().click();
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
