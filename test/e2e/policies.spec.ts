import { expect, type Page, test } from '@playwright/test'
import OpenAI from 'openai'
import { type ServeProcess, startServe } from '../helpers/serve-process'
import { failOnConsoleErrors, shot, signIn } from '../helpers/ui-checks'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams'

// Keys & Policies → Budgets, Redaction and Cache against the real gateway: spend drawn against each
// budget with its alerts, the redaction section edited with a live test box, the cache switched on,
// each checked through the admin API and a real call afterwards.

let mock: RunningMock
let gateway: ServeProcess
/** Secrets of the keys made in beforeAll, by name. */
const secrets: Record<string, string> = {}

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })
test.describe.configure({ mode: 'serial' })

/** The fields of admin answers this spec reads. */
interface AdminJson {
  key: string
  total: number
  config: unknown
  items: { action: string; redactions: Record<string, number> }[]
}

async function admin(method: string, path: string, body?: unknown): Promise<AdminJson> {
  const res = await fetch(`${gateway.baseUrl}/admin/v1${path}`, {
    method,
    headers:
      body === undefined ? gateway.adminHeaders : { ...gateway.adminHeaders, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  expect(res.ok, `${method} ${path}: ${res.status}`).toBe(true)
  return res.json()
}

const client = (key: string) => new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: key, maxRetries: 0 })
const ask = (key: string, content: string) =>
  client(key)
    .chat.completions.create({ model: 'mock/mock-gpt', messages: [{ role: 'user', content }] })
    .withResponse()

test.beforeAll(async () => {
  mock = await startMockUpstream()
  // $1 a call (20 completion tokens); cost anomalies are kept quiet so the budget alerts are the only ones.
  gateway = await startServe(`
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
routes:
  support:
    targets: [{ model: mock/mock-gpt }]
    redaction: { mode: reversible, detect: [email] }
pricing:
  mock/mock-gpt: { input: 0, output: 50000 }
alerts: { minHourlyUsd: 1000 }
`)
  const keys = [
    { name: 'ci', budget: { usd: 2.5, period: 'month' } },
    { name: 'team', budget: { usd: 10, period: 'week', onExceed: 'downgrade:mock/mock-small' } },
    { name: 'dev' },
  ]
  for (const k of keys) secrets[k.name] = (await admin('POST', '/keys', k)).key
  // ci spends $2 of $2.50 (80%: the 50 and 80% alerts), team $1 of $10.
  await ask(secrets.ci, 'hi')
  await ask(secrets.ci, 'hi again')
  await ask(secrets.team, 'hello')
  await expect.poll(async () => (await admin('GET', '/alerts?kind=budget')).total, { timeout: 10_000 }).toBe(2)
})

test.afterAll(async () => {
  await gateway?.stop()
  await mock?.stop()
})

failOnConsoleErrors()
test.beforeEach(({ page }) => signIn(page, gateway))

async function openTab(page: Page, name: 'Budgets' | 'Redaction' | 'Cache') {
  await page.goto(`${gateway.baseUrl}/#/keys`)
  await page.getByRole('tab', { name }).click()
  await expect(page.getByRole('tab', { name })).toHaveAttribute('aria-selected', 'true')
  await expect(page).toHaveURL(new RegExp(`tab=${name.toLowerCase()}`))
}

test('Budgets: each key’s spend against its budget line, its alerts, and acknowledging one', async ({ page }) => {
  await openTab(page, 'Budgets')
  const tab = page.getByTestId('budgets-tab')
  await expect(tab).toHaveAttribute('aria-busy', 'false')

  const summary = page.getByRole('table', { name: 'Budgets this period' })
  await expect(summary.getByRole('row')).toHaveCount(3)
  const ci = summary.getByRole('row', { name: 'ci' })
  await expect(ci.getByTestId('budget-bar')).toHaveAttribute('data-value', '80')
  await expect(ci.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '80')
  await expect(ci.getByRole('list', { name: 'Alerts reached' })).toHaveText(
    '✔ 50% reached✔ 80% reached○ 100% not reached',
  )
  await expect(ci).toContainText(/this month \(\w+ 1 – \w+ \d+, UTC\)/)
  await expect(ci).toContainText('blocked (429)')
  await expect(summary.getByRole('row', { name: 'team' })).toContainText('served by mock/mock-small')
  await expect(tab.getByText('Without a budget: dev.')).toBeVisible()

  // One chart per budgeted key: the bars climb to what was spent, under the budget line.
  const chart = page.locator('[data-testid="budget-chart"][data-key="ci"]')
  await expect(chart).toHaveAttribute('data-spent', '2')
  await expect(chart).toHaveAttribute('data-budget', '2.5')
  await expect(chart.locator('svg.recharts-surface')).toBeVisible()
  await expect(chart.locator('line.recharts-reference-line-line')).toHaveCount(1)
  await expect(chart.locator('svg.recharts-surface')).toContainText('budget $2.50')
  await expect(chart.locator('.recharts-bar-rectangle path').first()).toBeVisible()
  await expect(chart.getByRole('img')).toHaveAttribute(
    'aria-label',
    'ci: $2.00 of $2.50 spent this month (80.0%), budget line at $2.50',
  )
  await expect(page.locator('[data-testid="budget-chart"][data-key="team"]')).toHaveAttribute('data-spent', '1')

  const alerts = page.getByRole('list', { name: 'Budget alerts' })
  await expect(alerts.getByTestId('budget-alert')).toHaveCount(2)
  await expect(alerts).toContainText("key 'ci' has used 80% of its monthly budget ($2.00 of $2.50)")
  await shot(page, 'policies-budgets')

  await alerts.getByRole('button', { name: /Acknowledge: key 'ci' has used 80%/ }).click()
  const acked = alerts.locator('[data-testid="budget-alert"][data-acknowledged="true"]')
  await expect(acked).toHaveCount(1)
  await expect(acked).toContainText('used 80%')
  await expect(acked).toContainText('✔ acknowledged')
  expect((await admin('GET', '/alerts?kind=budget&status=open')).total).toBe(1)

  await page.emulateMedia({ colorScheme: 'dark' })
  await page.reload()
  await expect(page.getByTestId('budgets-tab')).toHaveAttribute('aria-busy', 'false')
  await expect(chart.locator('svg.recharts-surface')).toBeVisible()
  await shot(page, 'policies-budgets-dark')
})

test('Redaction: switches, a custom regex with a live test box, saved and used by the next call', async ({ page }) => {
  await openTab(page, 'Redaction')
  const result = page.getByTestId('redaction-result')
  const marks = page.getByTestId('redaction-highlight').locator('mark')
  // No section yet: off, every type switched on, the sample text tested as it would go out.
  await expect(page.getByRole('button', { name: 'Off' })).toHaveAttribute('aria-pressed', 'true')
  await expect(result).toContainText('Redaction is off: this text would be sent as is.')
  await expect(marks).toHaveCount(0)

  await page.getByRole('button', { name: 'Mask' }).click()
  await expect(result).toContainText('Found 4 values: credit card ×1, email ×1, ip ×1, phone ×1.')
  await expect(page.locator('mark[data-type="phone"]')).toHaveText('+1 415 555 0100phone')

  const phone = page.getByRole('switch', { name: 'phone' })
  await expect(phone).toBeChecked()
  await phone.uncheck()
  await expect(page.locator('mark[data-type="phone"]')).toHaveCount(0)
  await expect(page.getByTestId('redaction-output')).toContainText('+1 415 555 0100')
  await phone.check()
  await expect(page.locator('mark[data-type="phone"]')).toHaveCount(1)
  await expect(page.getByTestId('redaction-output')).toContainText('Reach Jane at [EMAIL] or [PHONE].')

  await page.getByRole('button', { name: 'Add pattern' }).click()
  await page.getByLabel('Name of pattern 1').fill('ticket')
  const pattern = page.getByLabel('Regular expression of pattern 1')
  await pattern.fill('TCK-(\\d{4}')
  await expect(page.getByText(/^Not a valid regular expression/)).toBeVisible()
  await pattern.fill('TCK-\\d{4}')
  await expect(page.getByText(/^Not a valid regular expression/)).toHaveCount(0)
  await page.getByLabel('Text to test').fill('Ticket TCK-1234 from jane.doe@example.com, card 4111 1111 1111 1111.')
  await expect(page.locator('mark[data-type="ticket"]')).toHaveText('TCK-1234ticket')
  await expect(marks).toHaveCount(3)
  await expect(page.getByTestId('redaction-output')).toHaveText('Ticket [TICKET] from [EMAIL], card [CREDIT_CARD].')

  // The route that sets its own redaction, read-only.
  const override = page.locator('[data-testid="policy-override"][data-name="support"]')
  await expect(override).toContainText('mode reversible · detects email')
  await expect(page.getByRole('region', { name: 'Unsaved changes' })).toBeVisible()

  await page.getByRole('button', { name: 'Save' }).click()
  await expect(page.getByRole('status')).toHaveText('✔ Saved to the config. New calls are redacted this way now.')
  await expect(page.getByRole('region', { name: 'Unsaved changes' })).toHaveCount(0)
  await shot(page, 'policies-redaction')
  const saved = await admin('GET', '/policies/redaction')
  expect(saved.config).toEqual({ mode: 'mask', custom: [{ name: 'ticket', pattern: 'TCK-\\d{4}' }] })
  const audit = await admin('GET', '/audit?action=policy.update&target=redaction')
  expect(audit.items.map((e) => e.action)).toEqual(['policy.update'])

  // A real call now: the log keeps what left the machine.
  await ask(secrets.dev, 'Ticket TCK-9876 for jane.doe@example.com')
  await expect
    .poll(async () => (await admin('GET', '/logs?limit=1')).items[0]?.redactions ?? null, { timeout: 10_000 })
    .toEqual({ ticket: 1, email: 1 })

  // A reload shows the saved section.
  await page.reload()
  await expect(page.getByRole('button', { name: 'Mask' })).toHaveAttribute('aria-pressed', 'true')
  await expect(page.getByLabel('Regular expression of pattern 1')).toHaveValue('TCK-\\d{4}')
})

test('Cache: turned on in the tab, then a repeated call is a hit; Settings links here', async ({ page }) => {
  await page.goto(`${gateway.baseUrl}/#/settings`)
  await page.getByRole('link', { name: 'Keys & Policies → Cache' }).click()
  await expect(page.getByRole('tab', { name: 'Cache' })).toHaveAttribute('aria-selected', 'true')

  const counters = page.getByTestId('cache-section')
  await expect(counters).toHaveAttribute('aria-busy', 'false')
  await expect(counters).toContainText('The response cache is off')
  await page.getByRole('button', { name: 'Exact' }).click()
  await page.getByLabel('Time to live (seconds)').fill('0')
  await page.getByRole('button', { name: 'Save' }).click()
  await expect(page.getByText('The time to live must be a whole number, 1 or more.')).toBeVisible()
  await page.getByLabel('Time to live (seconds)').fill('600')
  await page.getByRole('button', { name: 'Save' }).click()
  await expect(page.getByRole('status')).toHaveText('✔ Saved to the config. New calls use it now.')
  await expect(counters.getByTestId('cache-mode')).toHaveText('Exact: identical requests')
  await expect(counters.getByTestId('cache-ttl')).toHaveAttribute('data-value', '600')
  expect((await admin('GET', '/policies/cache')).config).toEqual({ mode: 'exact', ttlSeconds: 600 })

  const miss = await ask(secrets.dev, 'What is the capital of France?')
  const hit = await ask(secrets.dev, 'What is the capital of France?')
  expect(miss.response.headers.get('x-switchyard-cache')).toBe('miss')
  expect(hit.response.headers.get('x-switchyard-cache')).toBe('hit')
  await counters.getByRole('button', { name: 'Refresh cache counters' }).click()
  await expect(counters.getByTestId('cache-hits')).toHaveAttribute('data-value', '1')
  await expect(counters.getByTestId('cache-entries')).toHaveAttribute('data-value', '1')
  await expect(page.getByText('None: the settings above apply to every call.')).toBeVisible()
  await shot(page, 'policies-cache')
})
