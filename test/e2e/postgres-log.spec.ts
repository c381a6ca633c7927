import { expect, test } from '@playwright/test'
import OpenAI from 'openai'
import { type PostgresServer, startPostgres } from '../helpers/postgres-server'
import { type ServeProcess, startServe } from '../helpers/serve-process'
import { failOnConsoleErrors, signIn } from '../helpers/ui-checks'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams'

// A gateway whose request log is in Postgres (config `database`): the calls it answers reach the Logs page (listed,
// searched by a word of the prompt) and the Overview's spend, read back from Postgres, not from the data folder.

let postgres: PostgresServer
let mock: RunningMock
let gateway: ServeProcess

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })

interface LogPage {
  total: number
  items: { costUsd: number | null; requestId: string }[]
}
const logs = async (query = ''): Promise<LogPage> =>
  (await (
    await fetch(`${gateway.baseUrl}/admin/v1/logs?limit=50${query}`, { headers: gateway.adminHeaders })
  ).json()) as LogPage

test.beforeAll(async () => {
  postgres = await startPostgres()
  mock = await startMockUpstream()
  gateway = await startServe(
    `
database: "${postgres.url}"
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
pricing:
  mock/mock-gpt: { input: 1000, output: 2000 }
`,
    [],
    { env: { SWITCHYARD_SECRET_KEY: 'postgres-log-e2e-key' } },
  )
  const openai = new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: 'e2e', maxRetries: 0 })
  for (const content of ['hello there', 'tell me about marmalade', 'and about quinces'])
    await openai.chat.completions.create({ model: 'mock/mock-gpt', messages: [{ role: 'user', content }] })
  await expect.poll(async () => (await logs()).total, { timeout: 15_000 }).toBe(3)
})

test.afterAll(async () => {
  await gateway?.stop()
  await mock?.stop()
  await postgres?.stop()
})

failOnConsoleErrors()
test.beforeEach(({ page }) => signIn(page, gateway))

test('the rows are in Postgres, not in the data folder', async () => {
  const pg = (await import('pg')).default
  const client = new pg.Client({ connectionString: postgres.url })
  await client.connect()
  try {
    const { rows } = await client.query('SELECT count(*)::int AS n FROM request_logs')
    expect(rows[0].n).toBe(3)
  } finally {
    await client.end()
  }
})

test('the Logs page lists the calls and finds one by a word of its prompt', async ({ page }) => {
  await page.goto(`${gateway.baseUrl}/#/logs`)
  const table = page.getByTestId('logs-table')
  await expect(table).toHaveAttribute('aria-busy', 'false')
  await expect(page.getByTestId('log-row')).toHaveCount(3)
  const search = page.getByRole('searchbox', { name: 'Search' })
  await search.fill('marmalade')
  await search.press('Enter')
  await expect(page.getByTestId('log-row')).toHaveCount(1)
  await page.getByTestId('log-row').first().click()
  const drawer = page.getByTestId('log-drawer')
  await expect(drawer).toContainText('Request #2')
  await drawer.getByRole('tab', { name: 'Request', exact: true }).click()
  await expect(drawer).toContainText('tell me about marmalade')
})

test("the Overview shows the calls' spend", async ({ page }) => {
  const { items } = await logs()
  const spent = items.reduce((sum, i) => sum + (i.costUsd ?? 0), 0)
  expect(spent).toBeGreaterThan(0)
  await page.goto(`${gateway.baseUrl}/#/`)
  await expect(page.locator('main')).toHaveAttribute('aria-busy', 'false')
  await expect(page.getByTestId('kpi-requests')).toHaveAttribute('data-value', '3')
  const cost = Number(await page.getByTestId('kpi-cost').getAttribute('data-value'))
  expect(cost).toBeCloseTo(spent, 9)
})
