import { expect, test } from '@playwright/test';
import { DEMO_ADMIN, hydrated } from '../tests/helpers';

const LOADS = 10;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

test('page weight and time to hydrated of /users/{id}/cameras with 4x CPU slowdown', async ({ browser }) => {
  // Sign in once; every load below starts with an empty cache but this session.
  const setup = await browser.newContext({ baseURL: 'http://127.0.0.1:3100' });
  const page = await setup.newPage();
  await page.goto('/login?next=%2Fusers%3Fsort%3Doldest');
  await hydrated(page);
  await page.getByLabel('Login').fill(DEMO_ADMIN.login);
  await page.getByLabel('Password').fill(DEMO_ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/users\?sort=oldest$/);
  const href = await page.locator('table tbody tr a').first().getAttribute('href');
  const url = href!.replace(/\/user$/, '/cameras');
  const state = await setup.storageState();
  await setup.close();

  const times: number[] = [];
  let weight: Record<string, number> = {};
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext({ baseURL: 'http://127.0.0.1:3100', storageState: state });
    const p = await context.newPage();
    const cdp = await context.newCDPSession(p);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    // The moment the app marks <body data-hydrated>, in the page's own clock (from navigation start).
    await p.addInitScript(() => {
      new MutationObserver((_, obs) => {
        if (document.body?.hasAttribute('data-hydrated')) {
          (window as any).__hydratedAt = performance.now();
          obs.disconnect();
        }
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-hydrated'] });
    });
    const sizes: Record<string, number> = {};
    p.on('requestfinished', async (req) => {
      const path = new URL(req.url()).pathname;
      if (!path.startsWith('/pkg/')) return;
      const ext = path.split('.').pop()!;
      const s = await req.sizes();
      sizes[ext] = (sizes[ext] ?? 0) + s.responseBodySize;
    });
    await p.goto(url);
    await hydrated(p);
    await expect(p.getByRole('tab', { name: 'Cameras' })).toHaveAttribute('aria-selected', 'true');
    times.push(await p.evaluate(() => (window as any).__hydratedAt as number));
    weight = sizes;
    await context.close();
  }
  const total = Object.values(weight).reduce((a, b) => a + b, 0);
  const kb = (n: number) => (n / 1024).toFixed(1);
  console.log(`page weight as served (brotli): ${Object.entries(weight).map(([k, v]) => `${k} ${kb(v)} KB`).join(', ')}; total ${kb(total)} KB`);
  console.log(`time to hydrated, ${url}, 4x CPU slowdown, ${LOADS} cold loads: median ${median(times).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`);
  expect(total).toBeGreaterThan(0);
});
