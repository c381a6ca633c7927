import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { type ServeProcess, startServe } from '../helpers/serve-process'
import { signIn } from '../helpers/ui-checks'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams'

// Budget and traffic alerts as the UI shows them: the Overview banner (acknowledge), the per-key alert
// state and traffic flag on Keys & Policies, editing a key in place, and the last-key revoke warning.
const SHOTS = join(import.meta.dirname, 'screenshots')

let mock: RunningMock
let gateway: ServeProcess

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })

test.beforeAll(async () => {
  mock = await startMockUpstream()
  // $1 a call (20 completion tokens); cost anomalies are kept quiet so the alerts below are the only ones.
  gateway = await startServe(`
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
pricing:
  mock/mock-gpt: { input: 0, output: 50000 }
alerts: { minHourlyUsd: 1000, minTrafficRequests: 5 }
`)
})
test.afterAll(async () => {
  await gateway?.stop()
  await mock?.stop()
})

async function admin(path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${gateway.baseUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers:
      body === undefined ? gateway.adminHeaders : { ...gateway.adminHeaders, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  expect(res.ok).toBe(true)
  return res.json()
}

async function chat(key: string): Promise<number> {
  const res = await fetch(`${gateway.baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'hi' }] }),
  })
  await res.body?.cancel()
  return res.status
}

test('alerts on the Overview, alert state and traffic flag per key, edit dialog, last-key warning', async ({
  page,
}) => {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))

  const ci = (await admin('/admin/v1/keys', { name: 'ci', budget: { usd: 2, period: 'month' } })).key as string
  const team = (await admin('/admin/v1/keys', { name: 'team', limits: { rpm: 100 } })).key as string
  // Two calls spend ci's $2 (50, 80 and 100% alerts); six calls in a minute are a spike for a new key.
  for (let i = 0; i < 2; i++) expect(await chat(ci)).toBe(200)
  for (let i = 0; i < 6; i++) expect(await chat(team)).toBe(200)
  await expect.poll(async () => (await admin('/admin/v1/alerts')).total).toBe(4)

  await signIn(page, gateway)
  await page.goto(`${gateway.baseUrl}/#/`)
  const banner = page.getByRole('region', { name: /alerts to review/ })
  await expect(banner.getByRole('heading')).toHaveText('4 alerts to review')
  await expect(banner).toContainText("key 'ci' has used 100% of its monthly budget ($2.00 of $2.00)")
  await expect(banner).toContainText("key 'team' made 5 requests in 5 min")
  await page.waitForLoadState('networkidle')
  await page.screenshot({ path: join(SHOTS, 'overview-alerts.png'), fullPage: true })
  await banner.getByRole('button', { name: /Acknowledge: key 'ci' has used 50%/ }).click()
  await expect(banner.getByRole('heading')).toHaveText('3 alerts to review')
  await expect(banner).not.toContainText('used 50%')

  await page.keyboard.press('Control+8')
  await expect(page.getByRole('heading', { level: 1, name: 'Keys & Policies' })).toBeVisible()
  const table = page.getByRole('table', { name: 'Keys' })
  const ciRow = table.getByRole('row', { name: 'ci' })
  const teamRow = table.getByRole('row', { name: 'team' })
  await expect(ciRow).toContainText('100% alert')
  await expect(ciRow.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100')
  await expect(teamRow).toContainText('traffic spike')
  await expect(ciRow).not.toContainText('traffic spike')
  await page.screenshot({ path: join(SHOTS, 'keys-alerts.png'), fullPage: true })

  // Edit ci in place: more budget and an RPM limit; its secret keeps working.
  await ciRow.getByRole('button', { name: 'Edit' }).click()
  const dialog = page.getByRole('dialog', { name: 'Edit key: ci' })
  await expect(dialog.getByLabel('Name', { exact: true })).toHaveValue('ci')
  await expect(dialog.getByLabel('Budget (USD)')).toHaveValue('2')
  await dialog.getByLabel('Requests per minute').fill('0')
  await dialog.getByRole('button', { name: 'Save changes' }).click()
  await expect(dialog.getByText('A whole number above 0, or empty for no limit.')).toBeVisible()
  await dialog.getByLabel('Requests per minute').fill('30')
  await dialog.getByLabel('Budget (USD)').fill('10')
  await page.screenshot({ path: join(SHOTS, 'keys-edit.png'), fullPage: true })
  await dialog.getByRole('button', { name: 'Save changes' }).click()
  await expect(page.getByRole('dialog')).toHaveCount(0)
  await expect(ciRow.getByRole('cell').nth(2)).toHaveText('30')
  await expect(ciRow).toContainText('$2.00 / $10.00')
  await expect(ciRow).not.toContainText('% alert')
  expect(await chat(ci)).toBe(200)

  // Revoking one of two keys is plain; revoking the last one warns that the gateway opens up.
  await teamRow.getByRole('button', { name: 'Revoke' }).click()
  await expect(teamRow).not.toContainText('This is the last key')
  await teamRow.getByRole('button', { name: 'Yes, revoke' }).click()
  await expect(teamRow).toHaveCount(0)
  await ciRow.getByRole('button', { name: 'Revoke' }).click()
  await expect(ciRow.getByRole('alert')).toContainText('This is the last key')
  await page.screenshot({ path: join(SHOTS, 'keys-last-revoke.png'), fullPage: true })
  await ciRow.getByRole('button', { name: 'Cancel' }).click()
  expect(await chat(ci)).toBe(200)
  expect(errors).toEqual([])
})
