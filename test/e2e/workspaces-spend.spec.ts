import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { type ServeProcess, startServe } from '../helpers/serve-process'
import { failOnConsoleErrors, signIn } from '../helpers/ui-checks'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams'

// Spend by workspace and person on the web build served by the real gateway (issue 21): keys of two workspaces
// call with people named by x-switchyard-user and the `user` field; the Overview card lists both splits, and a
// name opens its calls in Logs.
const SHOTS = join(import.meta.dirname, 'screenshots')
const RED = 'sk-sy-red-0123456789abcdefSECRET'
const BLUE = 'sk-sy-blue-9876543210zyxwvuSECRET'

let mock: RunningMock
let gateway: ServeProcess

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })
test.describe.configure({ mode: 'serial' })

test.beforeAll(async () => {
  mock = await startMockUpstream()
  gateway = await startServe(`
workspaces:
  red: { name: Red team }
  blue: { name: Blue team }
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
pricing:
  mock/mock-gpt: { input: 1000, output: 2000 }
keys:
  - { name: red-ci, key: "${RED}", workspace: red }
  - { name: blue-ci, key: "${BLUE}", workspace: blue }
`)
  const call = async (key: string, extra: object, headers: Record<string, string> = {}) => {
    const res = await fetch(`${gateway.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
      body: JSON.stringify({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'hi' }], ...extra }),
    })
    expect(res.status, await res.text()).toBe(200)
  }
  await call(RED, { user: 'alice' })
  await call(RED, { user: 'alice' })
  await call(RED, {}, { 'x-switchyard-user': 'bob' })
  await call(BLUE, { user: 'carol' })
  await expect
    .poll(
      async () => {
        const r = await fetch(`${gateway.baseUrl}/admin/v1/logs`, { headers: gateway.adminHeaders })
        return ((await r.json()) as { items: unknown[] }).items.length
      },
      { timeout: 10_000 },
    )
    .toBe(4)
})

test.afterAll(async () => {
  await gateway?.stop()
  await mock?.stop()
})

failOnConsoleErrors()
test.beforeEach(({ page }) => signIn(page, gateway))

test('the Overview splits spend by workspace and by person, and a name opens its calls in Logs', async ({ page }) => {
  await page.getByRole('link', { name: 'Overview', exact: true }).click()
  const card = page.getByTestId('card-spend')
  await expect(card.getByRole('heading', { name: 'Spend by workspace and person' })).toBeVisible()
  await expect(card.getByTestId('spend-workspace-red')).toContainText('3')
  await expect(card.getByTestId('spend-workspace-blue')).toContainText('1')
  await expect(card.getByTestId('spend-person-alice')).toContainText('2')
  await expect(card.getByTestId('spend-person-bob')).toContainText('1')
  await expect(card.getByTestId('spend-person-carol')).toContainText('1')
  // Dearest first: red spent three calls' worth.
  await expect(card.getByTestId('spend-by-workspace').locator('tbody tr').first()).toContainText('red')
  await card.scrollIntoViewIfNeeded()
  await card.screenshot({ path: join(SHOTS, 'overview-spend.png') })

  await card.getByRole('link', { name: 'alice' }).click()
  await expect(page).toHaveURL(/person=alice/)
  await expect(page.getByLabel('Person')).toHaveValue('alice')
  await expect(page.getByTestId('logs-table').locator('tbody tr')).toHaveCount(2)
})
