import { expect, test } from '@playwright/test';
import { billing, hydrated, screenshots, signIn, someCsa } from './helpers';

test('Log in as User opens the client in a new tab that follows billing changes live', async ({ page, request, context }) => {
  await signIn(page, '/users');
  const csa = await someCsa(page);
  const s = Date.now();
  const entity = `LIVE-${s}`;
  const macs = [1, 2].map((i) => `0a:${(s % 256).toString(16).padStart(2, '0')}:${((s >> 8) % 256).toString(16).padStart(2, '0')}:${((s >> 16) % 256).toString(16).padStart(2, '0')}:77:0${i}`);
  const created = await billing(request, { id: `${entity}-1`, type: 'billing.new_entity', entity, login: `live${s}`, password: 'live-password', name: 'Live Viewer' });
  await billing(request, { id: `${entity}-2`, type: 'billing.create_location', entity, csa });
  for (const [i, mac] of macs.entries()) {
    await billing(request, { id: `${entity}-3${i}`, type: 'billing.new_camera', entity, mac, serial_number: `SN${i}`, name: `Porch ${i + 1}` });
    await billing(request, { id: `${entity}-4${i}`, type: 'billing.attach_camera', entity, mac, csa });
  }

  await page.goto(`/users/${created.user_id}/user`);
  await hydrated(page);
  const [client] = await Promise.all([context.waitForEvent('page'), page.getByRole('button', { name: 'Log in as User' }).click()]);
  await client.waitForURL(/\/client$/);
  await hydrated(client);
  await expect(client.getByRole('region', { name: 'Impersonation' })).toContainText(`Administrator admin is signed in as live${s}.`);
  const tiles = client.getByRole('list', { name: 'Cameras' }).getByRole('listitem');
  await expect(tiles).toHaveCount(2);
  await screenshots(client, 'client-impersonated');

  // Billing detaches a camera: it disappears without a reload.
  await client.setViewportSize({ width: 390, height: 844 });
  await billing(request, { id: `${entity}-5`, type: 'billing.detach_camera', entity, mac: macs[1] });
  await expect(tiles).toHaveCount(1);
  await expect(tiles.first()).toContainText('Porch 1');

  // Paused: every camera shows as locked.
  await billing(request, { id: `${entity}-6`, type: 'billing.pause_entity', entity });
  await expect(client.getByText('Your account is paused')).toBeVisible();
  await expect(tiles.first()).toContainText('locked');
  await screenshots(client, 'client-paused');

  // Synchronize cameras from the console also reaches the open tab.
  await billing(request, { id: `${entity}-7`, type: 'billing.unpause_entity', entity });
  await expect(client.getByText('Your account is paused')).toHaveCount(0);
  await page.getByRole('button', { name: 'Synchronize cameras' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Synchronized at' })).toContainText(`live${s} (version`);

  await client.getByRole('button', { name: 'End' }).click();
  await client.waitForURL(/\/client\/login$/);
});

test('a subscriber signs in to the web client on a phone', async ({ page, request }) => {
  const s = Date.now();
  await billing(request, { id: `PH-${s}`, type: 'billing.new_entity', entity: `PH-${s}`, login: `phone${s}`, password: 'phone-password', name: 'Phone User' });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/client');
  await page.waitForURL(/\/client\/login$/);
  await hydrated(page);
  await page.getByLabel('Login').fill(`phone${s}`);
  await page.getByLabel('Password').fill('phone-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/client$/);
  await expect(page.getByRole('heading', { name: 'Cameras' })).toBeVisible();
  await expect(page.getByText('No cameras yet.')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Impersonation' })).toHaveCount(0);
  await screenshots(page, 'client-phone');
});
