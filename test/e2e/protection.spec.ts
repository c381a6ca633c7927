import { expect, type Page, test } from '@playwright/test'
import OpenAI from 'openai'
import { formatUsd } from '../../src-renderer/src/format'
import { type ServeProcess, startServe } from '../helpers/serve-process'
import { failOnConsoleErrors, shot, signIn } from '../helpers/ui-checks'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams'

// Redaction, guardrails and the cache as the UI shows them: badges and filters on Logs, the drawer's
// Protection tab, the Overview cards, and the counters and Clear of Keys & Policies → Cache.
const PRICE = { input: 1000, output: 2000 }
const QUESTION = 'What is the capital of France?'
const EMAIL = 'jane.doe@example.com'

let mock: RunningMock
let gateway: ServeProcess
let openai: OpenAI
/** Request ids by the call that made them. */
const ids: Record<'miss' | 'hit' | 'redacted' | 'flagged' | 'blocked', string> = {
  miss: '',
  hit: '',
  redacted: '',
  flagged: '',
  blocked: '',
}
/** What the uncached answer to QUESTION cost, so what its cached replay saved. */
let saved = 0

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })
test.describe.configure({ mode: 'serial' })

const ask = (model: string, content: string) =>
  openai.chat.completions.create({ model, messages: [{ role: 'user', content }] }).withResponse()

test.beforeAll(async () => {
  mock = await startMockUpstream()
  gateway = await startServe(`
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
routes:
  guarded:
    targets: [{ model: mock/mock-gpt }]
    guardrails:
      input:
        - { type: blocked_patterns, name: secret-project, patterns: ["secret project \\\\w+"], action: flag }
        - { type: blocked_patterns, name: passwords, patterns: ["password"], action: block }
pricing:
  mock/mock-gpt: { input: ${PRICE.input}, output: ${PRICE.output} }
cache: { mode: exact }
redaction: { mode: mask }
`)
  openai = new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey: 'e2e', maxRetries: 0 })

  const miss = await ask('mock/mock-gpt', QUESTION)
  const usage = miss.data.usage!
  saved = (usage.prompt_tokens * PRICE.input + usage.completion_tokens * PRICE.output) / 1e6
  const hit = await ask('mock/mock-gpt', QUESTION)
  expect(hit.response.headers.get('x-switchyard-cache')).toBe('hit')
  const redacted = await ask('mock/mock-gpt', `Write to ${EMAIL} and bob@example.org about card 4111 1111 1111 1111.`)
  const flagged = await ask('guarded', 'Tell me about secret project Falcon')
  const blocked = await ask('guarded', 'my password is hunter2').catch((e: InstanceType<typeof OpenAI.APIError>) => e)
  expect(blocked).toBeInstanceOf(OpenAI.BadRequestError)
  Object.assign(ids, {
    miss: miss.response.headers.get('x-request-id'),
    hit: hit.response.headers.get('x-request-id'),
    redacted: redacted.response.headers.get('x-request-id'),
    flagged: flagged.response.headers.get('x-request-id'),
    blocked: (blocked as InstanceType<typeof OpenAI.APIError>).headers?.get('x-request-id'),
  })
  await expect
    .poll(
      async () =>
        (await (await fetch(`${gateway.baseUrl}/admin/v1/logs?limit=1`, { headers: gateway.adminHeaders })).json())
          .total,
      {
        timeout: 10_000,
      },
    )
    .toBe(5)
})

test.afterAll(async () => {
  await gateway?.stop()
  await mock?.stop()
})

failOnConsoleErrors()
test.beforeEach(({ page }) => signIn(page, gateway))
const row = (page: Page, call: keyof typeof ids) =>
  page.locator(`[data-testid="log-row"][data-request-id="${ids[call]}"]`)

async function openProtection(page: Page, call: keyof typeof ids) {
  await row(page, call).click()
  const drawer = page.getByTestId('log-drawer')
  await drawer.getByRole('tab', { name: 'Protection' }).click()
  await expect(drawer.getByTestId('protection')).toBeVisible()
  return drawer
}

test('Logs: badges per row, filters that stick in the URL, and the Protection tab', async ({ page }) => {
  await page.goto(`${gateway.baseUrl}/#/logs`)
  const table = page.getByTestId('logs-table')
  await expect(table).toHaveAttribute('aria-busy', 'false')
  await expect(page.getByTestId('log-row')).toHaveCount(5)

  await expect(row(page, 'hit').getByTestId('cache-badge')).toHaveText('↺ cache hit')
  await expect(row(page, 'miss').getByTestId('cache-badge')).toHaveCount(0)
  await expect(row(page, 'flagged').getByTestId('guardrail-badge')).toHaveText('⚑ flagged')
  await expect(row(page, 'blocked').getByTestId('guardrail-badge')).toHaveText('✘ blocked')
  await expect(row(page, 'redacted').getByTestId('redacted-badge')).toHaveAttribute(
    'title',
    'Redacted before sending: email ×2, credit card ×1',
  )
  await shot(page, 'logs-protection')

  await page.getByLabel('Cache').selectOption('hit')
  await expect(page.getByTestId('log-row')).toHaveCount(1)
  await expect(page.getByTestId('log-row')).toHaveAttribute('data-request-id', ids.hit)
  await expect(page).toHaveURL(/cache=hit/)
  await page.getByLabel('Cache').selectOption('')
  await page.getByLabel('Guardrails').selectOption('any')
  await expect(page.getByTestId('log-row')).toHaveCount(2)
  await page.getByLabel('Guardrails').selectOption('flag')
  await expect(page.getByTestId('log-row')).toHaveCount(1)
  await expect(page.getByTestId('log-row')).toHaveAttribute('data-request-id', ids.flagged)
  // A reload keeps the filter: it lives in the URL.
  await page.reload()
  await expect(page.getByLabel('Guardrails')).toHaveValue('flag')
  await expect(page.getByTestId('log-row')).toHaveCount(1)
  await page.getByRole('button', { name: 'Clear filters' }).first().click()
  await page.getByLabel('Redaction').selectOption('true')
  await expect(page.getByTestId('log-row')).toHaveCount(1)
  await expect(page.getByTestId('log-row')).toHaveAttribute('data-request-id', ids.redacted)

  // Redacted entities by type with counts, never the values.
  let drawer = await openProtection(page, 'redacted')
  const entities = drawer.getByRole('list', { name: 'Redacted entities' })
  await expect(entities.getByRole('listitem')).toHaveText(['email ×2', 'credit card ×1'])
  await expect(drawer.getByText('No guardrail check fired on this call.')).toBeVisible()
  await expect(drawer.getByText('Not served from the cache: the provider answered.')).toBeVisible()
  await expect(drawer).not.toContainText(EMAIL)
  await shot(page, 'log-drawer-redaction')
  await page.keyboard.press('Escape')
  await expect(drawer).toHaveCount(0)

  await page.getByLabel('Redaction').selectOption('')
  await expect(page.getByTestId('log-row')).toHaveCount(5)
  drawer = await openProtection(page, 'flagged')
  const hit = drawer.getByTestId('guardrail-hit')
  await expect(hit).toHaveCount(1)
  await expect(hit.getByRole('cell')).toHaveText(['input', 'secret-project (blocked_patterns)', '⚑ flagged', '—', /.+/])
  await expect(drawer.getByText('Nothing was redacted from this request.')).toBeVisible()
  await shot(page, 'log-drawer-guardrails')
  await page.keyboard.press('Escape')

  drawer = await openProtection(page, 'blocked')
  await expect(drawer.getByTestId('guardrail-hit').getByRole('cell').nth(1)).toHaveText('passwords (blocked_patterns)')
  await expect(drawer.getByText('A guardrail refused this call.')).toBeVisible()
  await page.keyboard.press('Escape')

  drawer = await openProtection(page, 'hit')
  await expect(drawer.getByTestId('cache-saved')).toHaveText(`$${saved.toFixed(6)}`)
  await shot(page, 'log-drawer-cache')
})

test('Overview: the Cache and Guardrails cards for the range', async ({ page }) => {
  await page.goto(`${gateway.baseUrl}/#/`)
  await expect(page.locator('main')).toHaveAttribute('aria-busy', 'false')
  const cache = page.getByTestId('card-cache')
  await expect(cache.getByTestId('kpi-cache-hits')).toHaveAttribute('data-value', '1')
  await expect(cache.getByTestId('kpi-cache-hit-rate')).toHaveAttribute('data-value', '0.2')
  await expect(cache.getByTestId('kpi-cache-hit-rate')).toContainText('20.0%')
  const savedValue = Number(await cache.getByTestId('kpi-cache-saved').getAttribute('data-value'))
  expect(savedValue).toBeCloseTo(saved, 12)
  await expect(cache.getByTestId('kpi-cache-saved')).toContainText(formatUsd(saved))
  await expect(cache.getByTestId('chart-cache').locator('svg.recharts-surface')).toBeVisible()

  const guard = page.getByTestId('card-guardrails')
  await expect(guard.getByTestId('kpi-guardrail-blocked')).toHaveAttribute('data-value', '1')
  await expect(guard.getByTestId('kpi-guardrail-flagged')).toHaveAttribute('data-value', '1')
  await expect(guard.getByTestId('kpi-redacted-calls')).toHaveAttribute('data-value', '1')
  const checks = guard.getByRole('table', { name: 'Guardrail checks that fired' }).getByRole('row')
  await expect(checks).toHaveCount(3)
  await expect(checks.nth(1)).toContainText('passwords')
  await expect(checks.nth(2)).toContainText('secret-project')
  await expect(guard.getByTestId('redacted-entities')).toContainText('email ×2, credit card ×1')
  await shot(page, 'overview-protection')

  // A number opens the rows behind it.
  await guard.getByTestId('kpi-guardrail-blocked').getByRole('link').click()
  await expect(page.getByRole('heading', { level: 1, name: 'Logs' })).toBeVisible()
  await expect(page.getByLabel('Guardrails')).toHaveValue('block')
  await expect(page.getByTestId('log-row')).toHaveCount(1)
  await expect(page.getByTestId('log-row')).toHaveAttribute('data-request-id', ids.blocked)

  await page.emulateMedia({ colorScheme: 'dark' })
  await page.goto(`${gateway.baseUrl}/#/`)
  await expect(page.getByTestId('card-cache').getByTestId('kpi-cache-hits')).toHaveAttribute('data-value', '1')
  await shot(page, 'overview-protection-dark')
})

test('Keys & Policies → Cache: live cache counters, and Clear after a confirm', async ({ page }) => {
  await page.goto(`${gateway.baseUrl}/#/keys?tab=cache`)
  const section = page.getByTestId('cache-section')
  await expect(section).toHaveAttribute('aria-busy', 'false')
  await expect(section.getByTestId('cache-mode')).toHaveText('Exact: identical requests')
  await expect(section.getByTestId('cache-entries')).toHaveAttribute('data-value', '2')
  await expect(section.getByTestId('cache-hits')).toHaveAttribute('data-value', '1')
  const savedValue = Number(await section.getByTestId('cache-saved').getAttribute('data-value'))
  expect(savedValue).toBeCloseTo(saved, 12)
  await shot(page, 'cache-counters')

  await section.getByRole('button', { name: 'Clear cache' }).click()
  await expect(section.getByText('Clear all 2 cached answers?')).toBeVisible()
  await section.getByRole('button', { name: 'Cancel' }).click()
  await expect(section.getByTestId('cache-entries')).toHaveAttribute('data-value', '2')

  await section.getByRole('button', { name: 'Clear cache' }).click()
  await section.getByRole('button', { name: 'Yes, clear' }).click()
  await expect(section.getByRole('status')).toHaveText('✔ Cleared 2 cached answers.')
  await expect(section.getByTestId('cache-entries')).toHaveAttribute('data-value', '0')
  await expect(section.getByRole('button', { name: 'Clear cache' })).toBeDisabled()
  await shot(page, 'cache-cleared')

  // Cleared for real: the same question goes to the provider again.
  const again = await ask('mock/mock-gpt', QUESTION)
  expect(again.response.headers.get('x-switchyard-cache')).toBe('miss')
  await section.getByRole('button', { name: 'Refresh cache counters' }).click()
  await expect(section.getByTestId('cache-entries')).toHaveAttribute('data-value', '1')
})
