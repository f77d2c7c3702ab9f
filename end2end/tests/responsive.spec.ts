import AxeBuilder from '@axe-core/playwright';
import { APIRequestContext, Browser, BrowserContext, expect, Page, test } from '@playwright/test';
import { billing, DEMO_ADMIN, hydrated, signIn, someCsa } from './helpers';

const PHONE = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  userAgent:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36',
};
const DESKTOP = { viewport: { width: 1280, height: 800 } };
const SIZES = [
  ['phone', PHONE],
  ['desktop', DESKTOP],
] as const;
const THEMES = ['light', 'dark'] as const;
/** The browser's language (Accept-Language), and the sign-in form's words in it. */
const LANGUAGES = [
  ['en', 'en-US', { login: 'Login', password: 'Password', signIn: 'Sign in' }],
  ['ru', 'ru-RU', { login: 'Логин', password: 'Пароль', signIn: 'Войти' }],
] as const;

/** A subscriber with cameras, a sub-user, licences, analytics, billing events and an apartment. */
interface World {
  user: number;
  login: string;
  camera: number;
  intercom: number;
}

/** Calls a console server function: JSON for those taking JSON, form fields otherwise. */
async function post(request: APIRequestContext, path: string, body: Record<string, unknown>, json = true) {
  const headers = { Accept: 'application/json' };
  const res = json
    ? await request.post(path, { data: body, headers })
    : await request.post(path, { form: body as Record<string, string | number | boolean>, headers });
  expect(res.status(), `${path}: ${await res.text()}`).toBe(200);
  return res.json();
}

async function world(page: Page, request: APIRequestContext): Promise<World> {
  await signIn(page);
  const csa = await someCsa(page);
  const s = Date.now();
  const entity = `RESP-${s}`;
  const login = `resp${s}`;
  const hex = (n: number) => (n % 256).toString(16).padStart(2, '0');
  const created = await billing(request, { id: `${entity}-1`, type: 'billing.new_entity', entity, login, password: 'resp-password', name: 'Responsive Person' });
  await billing(request, { id: `${entity}-2`, type: 'billing.create_location', entity, csa });
  let camera = 0;
  for (const i of [1, 2]) {
    const mac = `0c:${hex(s)}:${hex(s >> 8)}:${hex(s >> 16)}:66:0${i}`;
    await billing(request, { id: `${entity}-3${i}`, type: 'billing.new_camera', entity, mac, serial_number: `SN-${s}-${i}`, name: `Porch ${i}` });
    await billing(request, { id: `${entity}-4${i}`, type: 'billing.attach_camera', entity, mac, csa });
  }
  await billing(request, { id: `${entity}-5`, type: 'billing.set_licences', entity, analytics_l1: 3, analytics_l2: 0, analytics_l3: 0 });
  // The console's own calls, with the administrator's session of this page.
  const api = page.request;
  const access = await post(api, '/api/console/user_access', { id: created.user_id }, false);
  await post(api, '/api/console/save_user_access', { id: created.user_id, slugs: [...access.stored, 'subusers-manage'], version: access.version });
  const cams = await post(api, '/api/console/user_cameras', { id: created.user_id }, false);
  camera = cams.rows[0].id;
  const intercom = await post(api, '/api/console/save_intercom', {
    id: null,
    form: { name: `Door ${s}`, csa_code: csa, department: 'Entrance 1', flat_from: 1, flat_to: 60 },
  });
  const link = await post(api, '/api/console/link_apartment', { intercom_id: intercom, flat: 7, login });
  await post(api, '/api/console/add_apartment_key', { link_id: link, code: `KEY-${s}` });
  // The subscriber: a sub-user and an analytics case, through the client API.
  const session = await request.post('/api/client/v1/sessions', { data: { login, password: 'resp-password' } });
  const { token } = await session.json();
  const bearer = { Authorization: `Bearer ${token}` };
  const sub = await request.post('/api/client/v1/sub-users', { headers: bearer, data: { login: `kid${s}`, name: 'Kid', password: 'kid-password', permissions: ['cameras-live'] } });
  expect(sub.status(), await sub.text()).toBe(201);
  const kase = await request.post('/api/client/v1/cases', { headers: bearer, data: { name: 'Porch motion', type: 'motion-detect', camera_ids: [camera] } });
  expect(kase.status(), await kase.text()).toBe(201);
  return { user: created.user_id, login, camera, intercom };
}

/** Taps a finger on the middle of an element: on a row, the row's link takes it. */
async function tapOn(page: Page, selector: ReturnType<Page['locator']>) {
  // As a person would: scroll it into view, then tap it.
  await selector.scrollIntoViewIfNeeded();
  const box = (await selector.boundingBox())!;
  await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
}

/** Links, buttons, checkboxes and tabs whose tap area is under 44 × 44 px (a row's link
 * taps over its row; a checkbox over its label). */
async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const els = document.querySelectorAll<HTMLElement>('a[href], button, input[type=checkbox], input[type=radio], [role=tab]');
    for (const el of Array.from(els)) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (getComputedStyle(el).visibility === 'hidden' || el.closest('.visually-hidden')) continue;
      let box = { width: r.width, height: r.height };
      const row = el.classList.contains('row-main') ? el.closest('tr') : null;
      if (row) box = row.getBoundingClientRect();
      const labels = (el as HTMLInputElement).labels;
      for (const l of Array.from(labels ?? [])) {
        const lr = l.getBoundingClientRect();
        if (lr.width >= box.width && lr.height >= box.height) box = { width: lr.width, height: lr.height };
      }
      if (box.width < 43.5 || box.height < 43.5) {
        const name = (el.getAttribute('aria-label') || el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
        out.push(`${el.tagName.toLowerCase()} "${name}" ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
    }
    return out;
  });
}

/** axe-core's violations of serious or critical impact on the page as it is. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

async function check(page: Page, path: string, name: string, size: string, theme: string, lang: string) {
  await page.goto(path);
  await hydrated(page);
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
  const where = `${path} at ${size}, ${theme}, ${lang}`;
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect.soft(overflow, `${where} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0);
  expect.soft(await smallTargets(page), `${where}: tap targets under 44 px`).toEqual([]);
  expect.soft(await accessibilityProblems(page), `${where}: axe`).toEqual([]);
  await page.screenshot({ path: `artifacts/responsive/${name}-${size}-${theme}-${lang}.png`, fullPage: true });
}

/** A context signed in as the administrator through the sign-in call (in any language). */
async function signedIn(browser: Browser, options: object, who = DEMO_ADMIN): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: 'http://127.0.0.1:3100', ...options });
  const res = await context.request.post('/api/console/sign_in', { form: who, headers: { Accept: 'application/json' } });
  expect(res.status(), await res.text()).toBe(200);
  return context;
}

test('every page fits a phone and a desktop, with large enough targets and no serious accessibility problem, in both themes and both languages', async ({ page, request, browser }) => {
  test.setTimeout(900_000);
  const w = await world(page, request);
  const tabs = ['user', 'cameras', 'intercoms', 'sub-users', 'billing-events', 'access-settings', 'analytics'];
  const console: [string, string][] = [
    ['/users', 'users'],
    ...tabs.map((t) => [`/users/${w.user}/${t}`, `user-${t}`] as [string, string]),
    [`/cameras/${w.camera}/general`, 'camera'],
    ['/intercoms', 'intercoms'],
    [`/intercoms/${w.intercom}/general`, 'intercom-general'],
    [`/intercoms/${w.intercom}/apartments`, 'intercom-apartments'],
    ['/administrators', 'administrators'],
    ['/audit-log', 'audit-log'],
    [`/search?q=${w.login}`, 'search'],
  ];
  for (const [size, sizeOptions] of SIZES) for (const theme of THEMES) for (const [lang, locale, words] of LANGUAGES) {
    const options = { ...sizeOptions, colorScheme: theme, locale };
    const admin = await signedIn(browser, options);
    const p = await admin.newPage();
    for (const [path, name] of console) await check(p, path, name, size, theme, lang);
    await admin.close();

    const anonymous = await browser.newContext({ baseURL: 'http://127.0.0.1:3100', ...options });
    const a = await anonymous.newPage();
    await check(a, '/login', 'login', size, theme, lang);
    await check(a, '/client/login', 'client-login', size, theme, lang);
    await a.goto('/client/login');
    await hydrated(a);
    await a.getByLabel(words.login, { exact: true }).fill(w.login);
    await a.getByLabel(words.password).fill('resp-password');
    await a.getByRole('button', { name: words.signIn }).click();
    await a.waitForURL(/\/client$/);
    for (const [path, name] of [['/client', 'client'], ['/client/sub-users', 'client-sub-users'], ['/client/analytics', 'client-analytics']]) {
      await check(a, path, name, size, theme, lang);
    }
    await anonymous.close();
  }
});

test('on a phone, a row tapped away from its text opens its card, and every tab shows', async ({ page, request, browser }) => {
  const w = await world(page, request);
  const phone = await signedIn(browser, PHONE);
  const p = await phone.newPage();
  // The users list: tap the row's status, not its name.
  await p.goto(`/users?q=${w.login}`);
  await hydrated(p);
  const row = p.locator('table tbody tr').first();
  await tapOn(p, row.locator('td[data-label="Status"]'));
  await p.waitForURL(new RegExp(`/users/${w.user}/user$`));
  // The seven tabs are all in view: none hides off the screen's edge.
  await hydrated(p);
  const tabs = p.getByRole('tab');
  await expect(tabs).toHaveCount(7);
  for (const tab of await tabs.all()) {
    const box = (await tab.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
  }
  // The Cameras tab: a row opens the camera's profile, from its location cell too.
  await p.getByRole('tab', { name: 'Cameras' }).tap();
  await p.waitForURL(/\/cameras$/);
  await hydrated(p);
  await tapOn(p, p.locator('table tbody tr').first().locator('td[data-label="Location"]'));
  await p.waitForURL(new RegExp(`/cameras/${w.camera}/general$`));
  // The Intercoms tab: a row opens the intercom.
  await p.goto(`/users/${w.user}/intercoms`);
  await hydrated(p);
  await tapOn(p, p.locator('table tbody tr').first().locator('td[data-label="Keys"]'));
  await p.waitForURL(new RegExp(`/intercoms/${w.intercom}/general$`));
  // The Sub-users tab: a row opens the sub-user's permissions.
  await p.goto(`/users/${w.user}/sub-users`);
  await hydrated(p);
  await tapOn(p, p.locator('table tbody tr').first().locator('td[data-label="Login"]'));
  await expect(p.getByRole('region', { name: 'Sub-user permissions' })).toBeVisible();
  // Every row's link is a real link: one per row, opening in a new tab like any link.
  await p.goto(`/users?q=${w.login}`);
  await hydrated(p);
  await expect(p.locator('table tbody tr').first().getByRole('link')).toHaveCount(1);
  const [tab] = await Promise.all([phone.waitForEvent('page'), p.locator('table tbody tr a.row-main').first().click({ modifiers: ['Control'] })]);
  await tab.waitForLoadState();
  expect(new URL(tab.url()).pathname).toBe(`/users/${w.user}/user`);
  await phone.close();
});

test('without JavaScript, sign-in lands on next and the user card renders', async ({ page, request, browser }) => {
  const w = await world(page, request);
  const noScript = await browser.newContext({ baseURL: 'http://127.0.0.1:3100', javaScriptEnabled: false });
  const p = await noScript.newPage();
  await p.goto(`/users/${w.user}/cameras`);
  await expect(p).toHaveURL(/\/login\?next=/);
  await p.getByLabel('Login').fill(DEMO_ADMIN.login);
  await p.getByLabel('Password').fill('a-wrong-password');
  await p.getByRole('button', { name: 'Sign in' }).click();
  await expect(p.getByRole('alert')).toHaveText('Wrong login or password.');
  await p.getByLabel('Login').fill(DEMO_ADMIN.login);
  await p.getByLabel('Password').fill(DEMO_ADMIN.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.waitForURL(new RegExp(`/users/${w.user}/cameras$`));
  await expect(p.getByRole('region', { name: 'User summary' })).toContainText(w.login);
  await expect(p.locator('table tbody tr')).toHaveCount(2);
  await expect(p.getByRole('tab', { name: 'Cameras' })).toHaveAttribute('aria-selected', 'true');
  // The web client's sign-in too.
  await p.goto('/client/login');
  await p.getByLabel('Login').fill(w.login);
  await p.getByLabel('Password').fill('resp-password');
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.waitForURL(/\/client$/);
  await expect(p.getByRole('list', { name: 'Cameras' })).toContainText('Porch 1');
  await noScript.close();
});

test('Log in as User shows the link when the browser blocks the new tab', async ({ page, request, context }) => {
  const w = await world(page, request);
  await page.addInitScript(() => {
    window.open = () => null;
  });
  await page.goto(`/users/${w.user}/user`);
  await hydrated(page);
  await page.getByRole('button', { name: 'Log in as User' }).click();
  const link = page.getByRole('link', { name: 'Open the web client as this user' });
  await expect(link).toBeVisible();
  const [client] = await Promise.all([context.waitForEvent('page'), link.click()]);
  await client.waitForURL(/\/client$/);
  await expect(client.getByRole('region', { name: 'Impersonation' })).toContainText(DEMO_ADMIN.login);
});
