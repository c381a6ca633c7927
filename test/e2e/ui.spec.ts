import { join } from 'node:path'
import { expect, type Page, test } from '@playwright/test'
import OpenAI from 'openai'
import { parse, stringify } from 'yaml'
import { formatCount, formatUsd } from '../../src-renderer/src/format'
import { type ServeProcess, startServe } from '../helpers/serve-process'
import { signIn } from '../helpers/ui-checks'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams'

// The web build served by the real gateway, with the deterministic echo upstream behind it.
const SHOTS = join(import.meta.dirname, 'screenshots')
const PAGES = [
  { name: 'Overview', file: 'overview', hash: '#/' },
  { name: 'Playground', file: 'playground', hash: '#/playground' },
  { name: 'Logs', file: 'logs', hash: '#/logs' },
  { name: 'Prompts', file: 'prompts', hash: '#/prompts' },
  { name: 'Compare', file: 'compare', hash: '#/compare' },
  { name: 'Providers & models', file: 'providers', hash: '#/providers' },
  { name: 'Routes', file: 'routes', hash: '#/routes' },
  { name: 'Keys & Policies', file: 'keys-empty', hash: '#/keys' },
  { name: 'Connect', file: 'connect', hash: '#/connect' },
  { name: 'Settings', file: 'settings', hash: '#/settings' },
]

let mock: RunningMock
let gateway: ServeProcess
let openai: OpenAI

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })
test.describe.configure({ mode: 'serial' })

test.beforeAll(async () => {
  mock = await startMockUpstream()
  // A configured price makes cost non-zero (a loopback upstream is otherwise priced as local, $0).
  gateway = await startServe(`
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
routes:
  fast:
    strategy: fallback
    targets:
      - { model: mock/mock-gpt }
      - { model: mock/mock-gpt-mini }
pricing:
  mock/mock-gpt: { input: 1000, output: 2000 }
`)
  openai = new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: 'e2e', maxRetries: 0 })
})

test.afterAll(async () => {
  await gateway?.stop()
  await mock?.stop()
})

/** Console errors are bugs: every admin endpoint the pages call exists, so a 404 is one too. */
let consoleErrors: string[] = []
test.beforeEach(({ page }) => {
  consoleErrors = []
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text())
  })
  page.on('pageerror', (e) => consoleErrors.push(e.message))
  return signIn(page, gateway)
})
test.afterEach(() => {
  expect(consoleErrors).toEqual([])
})

async function shot(page: Page, file: string) {
  await page.screenshot({ path: join(SHOTS, `${file}.png`), fullPage: true })
}

async function adminJson<T>(path: string): Promise<T> {
  const res = await fetch(`${gateway.baseUrl}${path}`, { headers: gateway.adminHeaders })
  return (await res.json()) as T
}

async function waitForLogRows(n: number) {
  await expect
    .poll(async () => (await adminJson<{ total: number }>('/admin/v1/logs?limit=1')).total, { timeout: 10_000 })
    .toBeGreaterThanOrEqual(n)
}

test('traffic through the OpenAI API shows up in Logs, with its detail', async ({ page }) => {
  for (const text of ['first question', 'second question', 'third question']) {
    const reply = await openai.chat.completions.create({
      model: 'mock/mock-gpt',
      messages: [{ role: 'user', content: text }],
    })
    expect(reply.choices[0].message.content).toBe(`Echo: ${text}`)
  }
  await expect(openai.chat.completions.create({ model: 'nope/missing', messages: [] })).rejects.toThrow()
  await waitForLogRows(3)

  await page.goto(`${gateway.baseUrl}/#/logs`)
  await expect(page.getByRole('heading', { level: 1, name: 'Logs' })).toBeVisible()
  const rows = page.getByTestId('log-row')
  await expect(rows.filter({ hasText: 'mock-gpt' })).toHaveCount(3)
  await expect(page.getByTestId('logs-table')).toHaveAttribute('aria-busy', 'false')
  await shot(page, 'logs-filled')

  await page.getByLabel('Search').fill('second question')
  await expect(rows).toHaveCount(1)
  await expect(page).toHaveURL(/q=second\+question/)
  await rows.first().click()
  const drawer = page.getByTestId('log-drawer')
  await expect(drawer).toBeVisible()
  await expect(drawer).toContainText('mock-gpt')
  await drawer.getByRole('tab', { name: 'Request' }).click()
  await expect(drawer).toContainText('second question')
  await drawer.getByRole('tab', { name: 'Response' }).click()
  await expect(drawer).toContainText('Echo: second question')
  await shot(page, 'log-drawer')
  await drawer.getByRole('tab', { name: 'Attempts' }).click()
  await expect(drawer.getByRole('table', { name: 'Attempts' })).toContainText('mock / mock-gpt')
  await page.keyboard.press('Escape')
  await expect(drawer).toHaveCount(0)

  await page.getByRole('button', { name: 'Clear filters' }).first().click()
  await page.getByLabel('Status').selectOption('error')
  await expect(rows).toHaveCount(await adminJson<{ total: number }>('/admin/v1/logs?status=error').then((r) => r.total))
})

test('the Overview shows the same numbers as the stats API, with charts drawn', async ({ page }) => {
  await waitForLogRows(3)
  await page.goto(`${gateway.baseUrl}/#/`)
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible()
  await expect(page.locator('main')).toHaveAttribute('aria-busy', 'false')
  const stats = await adminJson<{
    totals: { requests: number; errors: number; costUsd: number; inputTokens: number; outputTokens: number }
  }>('/admin/v1/stats?bucket=hour')
  expect(stats.totals.requests).toBeGreaterThanOrEqual(3)
  expect(stats.totals.costUsd).toBeGreaterThan(0)

  const requests = page.getByTestId('kpi-requests')
  await expect(requests).toHaveAttribute('data-value', String(stats.totals.requests))
  await expect(requests).toContainText(formatCount(stats.totals.requests))
  await expect(page.getByTestId('kpi-cost')).toContainText(formatUsd(stats.totals.costUsd))
  await expect(page.getByTestId('kpi-tokens')).toHaveAttribute(
    'data-value',
    String(stats.totals.inputTokens + stats.totals.outputTokens),
  )
  for (const chart of ['chart-requests', 'chart-cost', 'chart-errors', 'chart-latency', 'chart-local-cloud']) {
    await expect(page.getByTestId(chart).locator('svg.recharts-surface').first()).toBeVisible()
  }
  await expect(page.getByTestId('chart-requests').locator('.recharts-bar-rectangle').first()).toBeVisible()
  await expect(page.getByRole('table', { name: 'Top models by cost' })).toContainText('mock-gpt')
  await shot(page, 'overview-filled')

  await page.getByTestId('time-range').getByRole('button', { name: '7d' }).click()
  await expect(page.getByTestId('time-range').getByRole('button', { name: '7d' })).toHaveAttribute(
    'aria-pressed',
    'true',
  )
  await expect(page.getByTestId('kpi-requests')).toHaveAttribute('data-value', String(stats.totals.requests))
})

test('the Playground streams a reply with its metrics, and hands the chat to Compare and Prompts', async ({ page }) => {
  await page.goto(`${gateway.baseUrl}/#/playground`)
  // Chat models and routes only: the upstream's embedding model cannot answer a chat.
  const picker = page.getByLabel('Model or route')
  await expect(picker.locator('option[value="mock/mock-gpt"]')).toHaveCount(1)
  await expect(picker.locator('option[value="mock/mock-embed"]')).toHaveCount(0)
  await page.getByLabel('Model or route').selectOption('mock/mock-gpt')
  await page.getByLabel('Temperature').fill('0.3')
  await page.getByLabel('Message', { exact: true }).fill('stream this please')
  await page.getByRole('button', { name: 'Send' }).click()
  const reply = page.getByTestId('pg-reply').last()
  await expect(reply).toContainText('Echo: stream this please')
  await expect(reply).toHaveAttribute('data-state', 'done')
  await expect(reply).toHaveAttribute('data-tokens', /^\d+$/)
  await expect(reply).toHaveAttribute('data-cost', /^\d/)
  await expect(reply).toContainText('TTFT')
  await shot(page, 'playground-reply')

  // The Compare and Prompts pages (another feature's) receive the chat through the handoff slice.
  await page.getByRole('button', { name: 'Open in Compare' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Compare' })).toBeVisible()
  await expect(page.getByLabel('Shared input')).toHaveValue('stream this please')
  await expect(page.locator('[data-testid="compare-pane"][data-model="mock/mock-gpt"]')).toBeVisible()

  await page.getByRole('link', { name: 'Playground' }).click()
  await expect(page.getByTestId('pg-reply')).toContainText('Echo: stream this please')
  await page.getByRole('button', { name: 'Save as prompt' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Prompts' })).toBeVisible()
  await expect(page.getByRole('textbox', { name: /^Message \d+$/ }).first()).toHaveValue('stream this please')
})

test('Connect fills snippets with this gateway and sees the next request', async ({ page }) => {
  await page.goto(`${gateway.baseUrl}/#/connect`)
  await expect(page.getByTestId('snippet-claude-code').first()).toContainText(`ANTHROPIC_BASE_URL=${gateway.baseUrl}`)
  await page.getByRole('tab', { name: 'Codex CLI' }).click()
  await expect(page.getByTestId('snippet-codex').first()).toContainText(`base_url = "${gateway.baseUrl}/v1"`)
  await page.getByRole('button', { name: 'Test connection' }).click()
  await expect(page.getByText('Waiting for the next request')).toBeVisible()
  await openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'ping' }] })
  await expect(page.getByTestId('connect-seen')).toContainText('fast', { timeout: 10_000 })
  await page.getByRole('tab', { name: 'Claude Code' }).click()
  await shot(page, 'connect-test')
})

test('a provider added through the form appears in the list', async ({ page }) => {
  await page.goto(`${gateway.baseUrl}/#/providers`)
  await expect(page.getByRole('heading', { level: 1, name: 'Providers & models' })).toBeVisible()
  await expect(page.locator('[data-testid="provider-card"][data-provider="mock"]')).toBeVisible()
  await page.getByRole('button', { name: '+ Add provider' }).first().click()
  await page.getByLabel('Provider id').fill('echo2')
  await page.getByLabel('Type').selectOption('openai-compatible')
  await expect(page.getByLabel('Base URL')).toHaveAttribute('placeholder', 'http://127.0.0.1:1234/v1')
  await page.getByLabel('Base URL').fill(`${mock.url}/v1`)
  await page.getByLabel('API key', { exact: true }).fill('sk-e2e-secret-1234')
  await page.getByRole('button', { name: 'Add provider', exact: true }).click()
  const card = page.locator('[data-testid="provider-card"][data-provider="echo2"]')
  await expect(card).toBeVisible()
  await expect(card).not.toContainText('sk-e2e-secret-1234')
  await card.getByRole('button', { name: 'Test' }).click()
  await expect(card.getByRole('status')).toContainText('Answered')
  await shot(page, 'providers-added')
})

test('config exported as YAML imports back with a preview', async ({ page }) => {
  await page.goto(`${gateway.baseUrl}/#/settings`)
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible()
  await page.getByLabel('Format').selectOption('yaml')
  await page.getByRole('button', { name: 'Export', exact: true }).click()
  const exported = page.getByLabel(/Exported config/)
  await expect(exported).toContainText('mock')
  const text = await exported.inputValue()
  expect(text).not.toContain('sk-')
  // The same config back: valid, nothing to change.
  await page.getByLabel('Or paste it').fill(text)
  await page.getByRole('button', { name: 'Validate and preview' }).click()
  const preview = page.getByTestId('import-preview')
  await expect(preview).toContainText('Nothing would change')

  // With one route added, the preview names it before anything is applied.
  const edited = parse(text)
  edited.routes = { ...edited.routes, imported: { targets: [{ model: 'mock/mock-gpt' }] } }
  await page.getByLabel('Or paste it').fill(stringify(edited))
  await page.getByRole('button', { name: 'Validate and preview' }).click()
  await expect(preview).toContainText('Added (1)')
  await expect(preview).toContainText('imported')
  await shot(page, 'settings-import-preview')
  expect((await adminJson<{ items: { name: string }[] }>('/admin/v1/routes')).items.map((r) => r.name)).not.toContain(
    'imported',
  )
  await preview.getByRole('button', { name: 'Apply' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Config applied' })).toBeVisible()
  expect((await adminJson<{ items: { name: string }[] }>('/admin/v1/routes')).items.map((r) => r.name)).toContain(
    'imported',
  )
  await page.getByLabel('Or paste it').fill('providers:\n  bad: { type: nosuch }\n')
  await page.getByRole('button', { name: 'Validate and preview' }).click()
  await expect(page.getByTestId('import-preview')).toContainText('providers.bad.type')
})

test('the Routes page lists and edits routes', async ({ page }) => {
  await page.goto(`${gateway.baseUrl}/#/routes`)
  await expect(page.getByRole('heading', { level: 1, name: 'Routes' })).toBeVisible()
  await page.getByRole('button', { name: /^fast/ }).click()
  await expect(page.getByLabel('Target 1 model')).toHaveValue('mock/mock-gpt')
  await page.getByRole('button', { name: 'Move mock/mock-gpt-mini up' }).click()
  await expect(page.getByLabel('Target 1 model')).toHaveValue('mock/mock-gpt-mini')
  await page.getByRole('button', { name: 'Save', exact: true }).click()
  await expect(page.getByRole('region', { name: 'Unsaved changes' })).toHaveCount(0)
  await shot(page, 'routes-edited')
})

test('every page has its heading, in the light and the dark theme', async ({ page }) => {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.goto(`${gateway.baseUrl}/#/`)
    for (const p of PAGES) {
      await page.getByRole('link', { name: p.name, exact: true }).click()
      await expect(page.getByRole('heading', { level: 1, name: p.name, exact: true })).toBeVisible()
      await expect(page.getByRole('link', { name: p.name, exact: true })).toHaveAttribute('aria-current', 'page')
      await page.waitForLoadState('networkidle')
      await shot(page, scheme === 'light' ? p.file : `${p.file}-dark`)
    }
  }
  // The theme choice overrides the system and survives a reload.
  await page.getByRole('button', { name: 'Light' }).click()
  await page.reload()
  await expect(page.locator('html')).not.toHaveClass(/dark/)
  await page.getByRole('button', { name: 'Dark' }).click()
  await page.emulateMedia({ colorScheme: 'light' })
  await page.reload()
  await expect(page.locator('html')).toHaveClass(/dark/)
})
