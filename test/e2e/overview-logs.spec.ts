import { createServer } from 'node:net'
import { join } from 'node:path'
import { expect, type Locator, type Page, test } from '@playwright/test'
import OpenAI from 'openai'
import { type ServeProcess, startServe } from '../helpers/serve-process'
import { failOnConsoleErrors, signIn } from '../helpers/ui-checks'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams'

// Overview and Logs with traffic that all costs $0, two models whose names shared a colour under the old
// name hash (`mock-gpt`, `mistral`), a route that falls back and one that fails on every target.
const SHOTS = join(import.meta.dirname, 'screenshots')

let mock: RunningMock
let slow: RunningMock
let gateway: ServeProcess
let openai: OpenAI

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })

/** A loopback port nothing listens on: calls to it are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

test.beforeAll(async () => {
  mock = await startMockUpstream()
  // Slow enough that the time to first token reads in seconds (`1.21 s`), the widest TTFT text.
  slow = await startMockUpstream(['--latency-ms', '1100'])
  const dead = await closedPort()
  gateway = await startServe(`
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
  slow: { type: openai-compatible, baseUrl: "${slow.url}/v1" }
  dead: { type: openai-compatible, baseUrl: "http://127.0.0.1:${dead}/v1" }
routes:
  rescued: { retries: { attempts: 0 }, targets: [ { model: dead/x }, { model: mock/mock-gpt } ] }
  doomed: { retries: { attempts: 0 }, targets: [ { model: dead/x }, { model: dead/y } ] }
pricing:
  mock/mock-gpt: { input: 0, output: 0 }
  mock/mistral: { input: 0, output: 0 }
  slow/mock-gpt: { input: 0, output: 0 }
`)
  openai = new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: 'e2e', maxRetries: 0 })
  const ask = (model: string) => openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] })
  for (const model of ['mock/mock-gpt', 'mock/mock-gpt', 'mock/mistral', 'rescued']) await ask(model)
  await expect(ask('doomed')).rejects.toThrow()
  const stream = await openai.chat.completions.create({
    model: 'slow/mock-gpt',
    stream: true,
    messages: [{ role: 'user', content: 'slowly' }],
  })
  for await (const _ of stream);
  await expect
    .poll(
      async () =>
        (
          (await (
            await fetch(`${gateway.baseUrl}/admin/v1/logs?limit=1`, { headers: gateway.adminHeaders })
          ).json()) as {
            total: number
          }
        ).total,
      { timeout: 10_000 },
    )
    .toBe(6)
})

test.afterAll(async () => {
  await gateway?.stop()
  await mock?.stop()
  await slow?.stop()
})

failOnConsoleErrors()
test.beforeEach(({ page }) => signIn(page, gateway))

const top = async (l: Locator) => Math.round((await l.boundingBox())!.y)

async function openOverview(page: Page) {
  await page.goto(`${gateway.baseUrl}/#/`)
  await expect(page.locator('main')).toHaveAttribute('aria-busy', 'false')
}

test('Overview: traffic that all cost $0 says so instead of "No requests"', async ({ page }) => {
  await openOverview(page)
  const cost = page.getByTestId('chart-cost')
  await expect(cost).toContainText('All 6 requests in this range cost $0')
  await expect(cost).not.toContainText('No requests')
  await expect(page.getByTestId('chart-errors')).not.toContainText('No requests')
  await page.screenshot({ path: join(SHOTS, 'overview-free.png'), fullPage: true })
})

test('Overview: each model on the stacked charts has its own colour', async ({ page }) => {
  await openOverview(page)
  const legend = page.getByTestId('chart-requests').getByRole('list', { name: 'Legend' })
  await expect(legend).toContainText('mistral')
  const colors = await legend
    .locator('.swatch')
    .evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor))
  expect(colors.length).toBeGreaterThanOrEqual(3)
  expect(new Set(colors).size).toBe(colors.length)
})

test('Overview: the endpoint URL is not broken inside a token', async ({ page }) => {
  // The desktop window's default width, where the endpoint no longer fits a quarter of the Gateway card.
  await page.setViewportSize({ width: 1200, height: 800 })
  await openOverview(page)
  // It may only wrap after a slash, and its card is wide enough that it need not wrap at all.
  const lines = await page.getByTestId('endpoint').evaluate((el) => {
    const range = document.createRange()
    range.selectNodeContents(el)
    return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size
  })
  expect(lines).toBe(1)
})

test('Overview: the last hour is asked for in 5-minute buckets', async ({ page }) => {
  await openOverview(page)
  // One Overview refresh is one call (GET /admin/v1/stats/overview).
  const fiveMinutes = page.waitForRequest((r) => /\/admin\/v1\/stats\/overview\?.*bucket=5m/.test(r.url()), {
    timeout: 5000,
  })
  await page.getByTestId('time-range').getByRole('button', { name: '1h' }).click()
  await fiveMinutes
  await expect(page.locator('main')).toHaveAttribute('aria-busy', 'false')
  await page.screenshot({ path: join(SHOTS, 'overview-1h.png'), fullPage: true })
})

test('Overview: the four time charts sit two by two on a wide window', async ({ page }) => {
  await page.setViewportSize({ width: 1700, height: 1000 })
  await openOverview(page)
  const [requests, costChart, errors, latency] = ['chart-requests', 'chart-cost', 'chart-errors', 'chart-latency'].map(
    (id) => page.getByTestId(id),
  )
  await expect(latency.locator('svg.recharts-surface').first()).toBeVisible()
  expect(await top(costChart)).toBe(await top(requests))
  expect(await top(latency)).toBe(await top(errors))
  expect(await top(errors)).toBeGreaterThan(await top(requests))
  await page.screenshot({ path: join(SHOTS, 'overview-wide.png'), fullPage: true })
})

test('Logs: requested name, API and stream columns, and a TTFT that is not cut', async ({ page }) => {
  await page.goto(`${gateway.baseUrl}/#/logs`)
  const table = page.getByTestId('logs-table')
  await expect(table).toHaveAttribute('aria-busy', 'false')
  for (const name of ['Requested', 'API', 'Stream', 'TTFT']) {
    await expect(table.getByRole('columnheader', { name, exact: true })).toBeVisible()
  }
  const rows = page.getByTestId('log-row')
  await expect(rows).toHaveCount(6)
  const streamed = rows.filter({ hasText: 'slow' })
  await expect(streamed).toContainText('stream')
  await expect(streamed).toContainText('openai')
  // The TTFT cell (12th column) shows its whole text, seconds and unit.
  const ttft = streamed.locator('td').nth(11)
  await expect(ttft).toHaveText(/^\d\.\d\d s$/)
  expect(await ttft.evaluate((td) => td.scrollWidth <= td.clientWidth)).toBe(true)
  await page.screenshot({ path: join(SHOTS, 'logs-columns.png'), fullPage: true })
})

test('Logs: the drawer tells failed tries as they were, each once', async ({ page }) => {
  await page.goto(`${gateway.baseUrl}/#/logs`)
  const rows = page.getByTestId('log-row')
  await expect(rows).toHaveCount(6)
  // Rows are found by their log id (from the admin API), whatever columns the table shows.
  const { items } = (await (
    await fetch(`${gateway.baseUrl}/admin/v1/logs`, { headers: gateway.adminHeaders })
  ).json()) as { items: { id: number; route: string | null }[] }
  const rowOf = (route: string) => page.locator(`[data-log-id="${items.find((i) => i.route === route)!.id}"]`)
  const drawer = page.getByTestId('log-drawer')
  await rowOf('doomed').click()
  await drawer.getByRole('tab', { name: 'Attempts' }).click()
  await expect(drawer).not.toContainText('first attempt')
  await expect(drawer).toContainText('Failed: none of the 2 tries answered')
  // Each failed try once: the last one is the call's outcome, not a third row.
  await expect(drawer.getByRole('table', { name: 'Attempts' }).locator('tbody tr')).toHaveCount(2)
  await page.screenshot({ path: join(SHOTS, 'log-drawer-failed.png'), fullPage: true })
  await page.keyboard.press('Escape')

  await rowOf('rescued').click()
  await drawer.getByRole('tab', { name: 'Attempts' }).click()
  await expect(drawer).toContainText(/Answered on try 2, after 1 failed try, by a fallback target/)
  await expect(drawer.getByRole('table', { name: 'Attempts' }).locator('tbody tr')).toHaveCount(2)
})
