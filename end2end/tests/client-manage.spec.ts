import { expect, test } from '@playwright/test';
import { billing, hydrated, screenshots, signIn, someCsa } from './helpers';

test('a subscriber manages sub-users and analytics cases in the web client', async ({ page, request, browser }) => {
  // Billing: a user with two cameras and one level-1 licence.
  await signIn(page, '/users');
  const csa = await someCsa(page);
  const s = Date.now();
  const entity = `MGR-${s}`;
  const hex = (n: number) => (n % 256).toString(16).padStart(2, '0');
  const created = await billing(request, { id: `${entity}-1`, type: 'billing.new_entity', entity, login: `mgr${s}`, password: 'mgr-password', name: 'Manager' });
  await billing(request, { id: `${entity}-2`, type: 'billing.create_location', entity, csa });
  for (const i of [1, 2]) {
    const mac = `0b:${hex(s)}:${hex(s >> 8)}:${hex(s >> 16)}:55:0${i}`;
    await billing(request, { id: `${entity}-3${i}`, type: 'billing.new_camera', entity, mac, serial_number: `SN${i}`, name: `Yard ${i}` });
    await billing(request, { id: `${entity}-4${i}`, type: 'billing.attach_camera', entity, mac, csa });
  }
  await billing(request, { id: `${entity}-5`, type: 'billing.set_licences', entity, analytics_l1: 1, analytics_l2: 0, analytics_l3: 0 });

  // The administrator grants "Manage sub-users" in Access Settings.
  await page.goto(`/users/${created.user_id}/access-settings`);
  await hydrated(page);
  await page.getByRole('checkbox', { name: /\(subusers-manage\)/ }).check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText('Saved.');

  // The subscriber, on a phone, in a browser of their own.
  const context = await browser.newContext({ baseURL: 'http://127.0.0.1:3100', viewport: { width: 390, height: 844 } });
  const client = await context.newPage();
  await client.goto('/client/login');
  await hydrated(client);
  await client.getByLabel('Login', { exact: true }).fill(`mgr${s}`);
  await client.getByLabel('Password').fill('mgr-password');
  await client.getByRole('button', { name: 'Sign in' }).click();
  await client.waitForURL(/\/client$/);
  await hydrated(client);
  await client.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sub-users' }).click();
  await client.waitForURL(/\/client\/sub-users$/);
  await expect(client.getByText('No sub-users yet.')).toBeVisible();

  // A new sub-user: only what the user may hand out is offered.
  await client.getByRole('button', { name: 'New sub-user' }).click();
  const form = client.getByRole('region', { name: 'New sub-user' });
  await expect(form.getByRole('checkbox', { name: /\(subusers-manage\)/ })).toHaveCount(0);
  await expect(form.getByRole('checkbox', { name: /\(analytic-cases-face\)/ })).toHaveCount(0);
  await expect(form.getByRole('checkbox', { name: /\(analytic-cases-smoke-fire\)/ })).toBeEnabled();
  await form.getByLabel('Login', { exact: true }).fill(`kid${s}`);
  await form.getByLabel('Name', { exact: true }).fill('Kid');
  await form.getByLabel('Password').fill('short');
  await form.getByRole('checkbox', { name: 'Yard 2' }).uncheck();
  await form.getByRole('checkbox', { name: /\(ptz-control\)/ }).check();
  await screenshots(client, 'client-sub-user-form');
  await form.getByLabel('Password').fill('kid-password');
  await form.getByRole('button', { name: 'Save' }).click();
  const list = client.getByRole('list', { name: 'Sub-users' });
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await expect(list).toContainText(`kid${s}`);
  await expect(list).toContainText('1 camera ·');

  // Edit it, then delete it (asked once more in place).
  await list.getByRole('button', { name: 'Edit Kid' }).click();
  const edit = client.getByRole('region', { name: 'Edit Kid' });
  await expect(edit.getByRole('checkbox', { name: /\(ptz-control\)/ })).toBeChecked();
  await edit.getByLabel('Name', { exact: true }).fill('Kid Two');
  await edit.getByRole('checkbox', { name: 'Yard 2' }).check();
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(list).toContainText('Kid Two');
  await expect(list).toContainText('2 cameras');
  await screenshots(client, 'client-sub-users');
  await list.getByRole('button', { name: 'Delete Kid Two' }).click();
  await list.getByRole('button', { name: 'Yes, delete' }).click();
  await expect(client.getByText('No sub-users yet.')).toBeVisible();

  // Analytics: one free licence; a case on two cameras is refused, on one accepted.
  await client.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Analytics' }).click();
  await client.waitForURL(/\/client\/analytics$/);
  await expect(client.getByRole('list', { name: 'Licences' })).toContainText('1 of 1 free');
  await client.getByRole('button', { name: 'New case' }).click();
  const caseForm = client.getByRole('region', { name: 'New case' });
  await caseForm.getByLabel('Name', { exact: true }).fill('Gate watch');
  await caseForm.getByLabel('Type').selectOption('motion-detect');
  await caseForm.getByRole('checkbox', { name: 'Yard 1' }).check();
  await caseForm.getByRole('checkbox', { name: 'Yard 2' }).check();
  await caseForm.getByRole('button', { name: 'Save' }).click();
  await expect(caseForm.getByRole('alert')).toContainText('1 licence free at level 1; this case needs 2');
  await caseForm.getByRole('checkbox', { name: 'Yard 2' }).uncheck();
  await caseForm.getByRole('button', { name: 'Save' }).click();
  const cases = client.getByRole('list', { name: 'Cases' });
  await expect(cases.getByRole('listitem')).toHaveCount(1);
  await expect(client.getByRole('list', { name: 'Licences' })).toContainText('0 of 1 free');

  // An analytics engine reports an event; the case lists it.
  const listed = await (await context.request.get('/api/client/v1/cases')).json();
  const caseId = listed.cases[0].id;
  const ev = await request.post('/api/analytics/v1/events', {
    headers: { Authorization: 'Bearer e2e-analytics-token' },
    data: { case_id: caseId, kind: 'motion', occurred_at: '2026-11-27T08:00:00Z', data: { zone: 'gate' } },
  });
  expect(ev.status(), await ev.text()).toBe(201);
  await cases.getByRole('button', { name: 'Events of Gate watch' }).click();
  await expect(cases.getByRole('table')).toContainText('motion');
  await expect(cases.getByRole('table')).toContainText('gate');
  await screenshots(client, 'client-analytics');
  await cases.getByRole('button', { name: 'Delete Gate watch' }).click();
  await expect(client.getByText('No cases yet.')).toBeVisible();
  await context.close();
});
