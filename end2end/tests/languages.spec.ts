import { expect, test } from '@playwright/test';
import { billing, DEMO_ADMIN, hydrated, screenshots, someCsa } from './helpers';

/** A subscriber with `cameras` cameras at one location, made through the billing API. */
async function subscriber(request: Parameters<typeof billing>[0], csa: string, tag: string, cameras: number) {
  const stamp = Date.now();
  const s = `${stamp}${tag}`;
  const hex = (v: number) => (Math.floor(v) % 256).toString(16).padStart(2, '0');
  const entity = `LANG-${s}`;
  const made = await billing(request, {
    id: `${entity}-new`, type: 'billing.new_entity', entity, login: `lang${s}`, password: 'lang-password', name: `Язык ${tag}`,
  });
  await billing(request, { id: `${entity}-loc`, type: 'billing.create_location', entity, csa });
  for (let i = 1; i <= cameras; i++) {
    const mac = `0e:${hex(stamp)}:${hex(stamp / 256)}:${hex(stamp / 65536)}:${hex(cameras)}:0${i}`;
    await billing(request, { id: `${entity}-cam${i}`, type: 'billing.new_camera', entity, mac, serial_number: `SN-${s}-${i}`, name: `Камера ${i}` });
    await billing(request, { id: `${entity}-att${i}`, type: 'billing.attach_camera', entity, mac, csa });
  }
  return made.user_id as number;
}

test.describe('in Russian', () => {
  test.use({ locale: 'ru-RU' });

  test('a browser asking for Russian gets the console in Russian: labels, plurals and dates; the header switches to English for good', async ({ page, request }) => {
    // The sign-in page, in Russian as the server sends it (before any script runs).
    const response = await page.goto('/login?next=%2Fusers');
    const html = await response!.text();
    expect(html).toMatch(/<html[^>]*lang="ru"/);
    expect(html).toContain('<title>Вход · Консоль администратора VMS</title>');
    await hydrated(page);
    await expect(page.getByRole('heading', { name: 'Вход' })).toBeVisible();
    await page.getByLabel('Логин').fill('nobody');
    await page.getByLabel('Пароль').fill('wrong-password');
    await page.getByRole('button', { name: 'Войти' }).click();
    await expect(page.getByRole('alert')).toHaveText('Неверный логин или пароль.');
    await page.getByLabel('Логин').fill(DEMO_ADMIN.login);
    await page.getByLabel('Пароль').fill(DEMO_ADMIN.password);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.waitForURL(/\/users$/);
    await hydrated(page);
    await expect(page.getByRole('heading', { name: 'Пользователи', level: 1 })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Основное меню' }).getByRole('link', { name: 'Домофоны' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Тёмная тема' })).toBeVisible();

    // Plurals: 1 камера, 2 камеры, 5 камер.
    const csa = await someCsa(page);
    for (const [n, text] of [[1, '1 камера'], [2, '2 камеры'], [5, '5 камер']] as const) {
      const user = await subscriber(request, csa, `n${n}`, n);
      await page.goto(`/users/${user}/cameras`);
      await hydrated(page);
      await expect(page.getByRole('tab', { name: 'Камеры' })).toHaveAttribute('aria-selected', 'true');
      await expect(page.locator('main')).toContainText(text);
      if (n === 5) {
        await screenshots(page, 'user-cameras-ru');
        // Dates day first; the User tab's labels in Russian.
        await page.getByRole('tab', { name: 'Пользователь' }).click();
        await page.waitForURL(/\/user$/);
        await hydrated(page);
        await expect(page.locator('main')).toContainText(/\d{2}\.\d{2}\.\d{4} \d{2}:\d{2} UTC/);
        await expect(page.getByText('Логин', { exact: true }).first()).toBeVisible();
      }
    }

    // The header's switch: English now, and after a reload, though the browser asks for Russian.
    await page.getByRole('navigation', { name: 'Язык' }).getByRole('link', { name: 'EN' }).click();
    await page.waitForURL(/\/user$/);
    await hydrated(page);
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByRole('tab', { name: 'Cameras' })).toBeVisible();
    await expect(page.locator('main')).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    await page.reload();
    await hydrated(page);
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    // And back to Russian.
    await page.getByRole('navigation', { name: 'Language' }).getByRole('link', { name: 'RU' }).click();
    await hydrated(page);
    await expect(page.locator('html')).toHaveAttribute('lang', 'ru');
    await expect(page.getByRole('tab', { name: 'Камеры' })).toBeVisible();
  });

  test('the web client is in Russian too', async ({ page, request }) => {
    const s = Date.now();
    const entity = `LANGC-${s}`;
    await billing(request, { id: `${entity}-new`, type: 'billing.new_entity', entity, login: `langc${s}`, password: 'lang-password', name: 'Клиент' });
    await page.goto('/client/login');
    await hydrated(page);
    await page.getByLabel('Логин').fill(`langc${s}`);
    await page.getByLabel('Пароль').fill('lang-password');
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.waitForURL(/\/client$/);
    await hydrated(page);
    await expect(page.locator('html')).toHaveAttribute('lang', 'ru');
    await expect(page.getByRole('heading', { name: 'Камеры', level: 1 })).toBeVisible();
    await expect(page.getByText('Камер пока нет.')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Выйти' })).toBeVisible();
    await screenshots(page, 'client-ru');
  });
});
