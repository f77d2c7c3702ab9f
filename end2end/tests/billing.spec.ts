import { expect, test } from '@playwright/test';
import { hydrated, screenshots, signIn } from './helpers';

test('a billing request appears in the user\'s Billing Events tab without its password', async ({ page, request }) => {
  const stamp = Date.now();
  const login = `e2e.user${stamp}`;
  const res = await request.post('/api/billing/v1/requests', {
    headers: { Authorization: 'Bearer e2e-billing-token' },
    data: {
      id: `e2e-${stamp}`,
      type: 'billing.new_entity',
      entity: `E2E-${stamp}`,
      login,
      password: 'very-secret-password',
      name: 'Playwright Person',
      properties: { contract: 'C-E2E' },
    },
  });
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.outcome).toBe('applied');

  await signIn(page, `/users/${body.user_id}/billing-events`);
  await expect(page.getByRole('region', { name: 'User summary' })).toContainText(login);
  const row = page.getByRole('row', { name: new RegExp(`e2e-${stamp}`) });
  await expect(row).toContainText('Billing. New entity');
  await expect(row).toContainText('billing.new_entity');
  await row.getByRole('button', { name: 'Details' }).click();
  const details = page.locator('tr.event-details:not([hidden])');
  await expect(details).toContainText('[redacted]');
  await expect(details).toContainText('applied');
  await expect(details).not.toContainText('very-secret-password');
  await screenshots(page, 'billing-event-expanded');

  // The type filter keeps only that type.
  await page.getByLabel('Type').selectOption('billing.pause_entity');
  await page.getByRole('button', { name: 'Filter' }).click();
  await hydrated(page);
  await expect(page.getByText('No billing events match.')).toBeVisible();
});
