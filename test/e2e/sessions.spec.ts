import { join } from 'node:path'
import { expect, type Page, test } from '@playwright/test'
import { formatUsd } from '../../src-renderer/src/format'
import { type ServeProcess, startServe } from '../helpers/serve-process'
import { failOnConsoleErrors, signIn } from '../helpers/ui-checks'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams'

// The Sessions page on the web build served by the real gateway: calls made the way Claude Code and Codex make
// them (their session headers and metadata, recorded from the pinned CLIs) and one from another tool with
// x-switchyard-session, grouped into sessions; a session opens its calls in order, and a call opens in Logs.
const SHOTS = join(import.meta.dirname, 'screenshots')
const CLAUDE_SESSION = '32248e23-3993-4a36-89bf-56496451912a'
const CODEX_SESSION = '01a23f14-0898-77f3-97c0-b343c45f2b39'
/** A name a person chose: spaces and a `#`, which the UI must keep whole in URLs and element ids. */
const OTHER_SESSION = 'aider #1 refactor'

let mock: RunningMock
let gateway: ServeProcess

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })
test.describe.configure({ mode: 'serial' })

async function post(path: string, body: unknown, headers: Record<string, string>): Promise<void> {
  const res = await fetch(`${gateway.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
  expect(res.status, await res.text()).toBe(200)
}

test.beforeAll(async () => {
  mock = await startMockUpstream()
  gateway = await startServe(`
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
pricing:
  mock/mock-gpt: { input: 1000, output: 2000 }
  mock/mock-gpt-mini: { input: 100, output: 200 }
`)
  const claude = {
    'user-agent': 'claude-cli/2.1.331 (external, sdk-cli)',
    'x-switchyard-project': 'switchyard',
  }
  const userId = JSON.stringify({ device_id: 'be92', account_uuid: '', session_id: CLAUDE_SESSION })
  // Claude Code's turns: the main model twice, its small model once for a title.
  for (const [turn, model] of [
    [1, 'mock/mock-gpt'],
    [2, 'mock/mock-gpt-mini'],
    [3, 'mock/mock-gpt'],
  ] as const) {
    await post(
      '/v1/messages?beta=true',
      { model, max_tokens: 50, messages: [{ role: 'user', content: `turn ${turn}` }], metadata: { user_id: userId } },
      claude,
    )
  }
  const codex = { 'user-agent': 'codex_exec/0.169.0 (Debian 12.0.0; x86_64)', 'session-id': CODEX_SESSION }
  for (const input of ['list the files', 'read README.md']) {
    await post('/v1/responses', { model: 'mock/mock-gpt', input }, codex)
  }
  await post(
    '/v1/chat/completions',
    { model: 'mock/mock-gpt-mini', messages: [{ role: 'user', content: 'hi' }] },
    { 'user-agent': 'aider/0.86', 'x-switchyard-session': OTHER_SESSION, 'x-switchyard-project': 'billing' },
  )
  await expect
    .poll(
      async () => {
        const res = await fetch(`${gateway.baseUrl}/admin/v1/sessions`, { headers: gateway.adminHeaders })
        return ((await res.json()) as { items: { calls: number }[] }).items.reduce((n, s) => n + s.calls, 0)
      },
      { timeout: 10_000 },
    )
    .toBe(6)
})

test.afterAll(async () => {
  await gateway?.stop()
  await mock?.stop()
})

failOnConsoleErrors()
test.beforeEach(({ page }) => signIn(page, gateway))

const row = (page: Page, id: string) => page.locator(`[data-testid="session-row"][data-session-id="${id}"]`)

test('Sessions lists each agent session with its tool, models, turns, tokens and cost', async ({ page }) => {
  await page.getByRole('link', { name: 'Sessions', exact: true }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Sessions' })).toBeVisible()
  await expect(page.getByRole('link', { name: 'Sessions', exact: true })).toHaveAttribute('aria-current', 'page')
  const table = page.getByRole('table', { name: 'Sessions' })
  await expect(table).toHaveAttribute('aria-busy', 'false')
  // The most recently active first.
  await expect(page.getByTestId('session-row')).toHaveCount(3)
  const ids = await page
    .getByTestId('session-row')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-session-id')))
  expect(ids).toEqual([OTHER_SESSION, CODEX_SESSION, CLAUDE_SESSION])

  const claude = row(page, CLAUDE_SESSION)
  await expect(claude).toHaveAttribute('data-calls', '3')
  await expect(claude).toContainText('Claude Code')
  await expect(claude).toContainText('switchyard')
  await expect(claude).toContainText('mock-gpt, mock-gpt-mini')
  const cost = Number(await claude.getAttribute('data-cost'))
  expect(cost).toBeGreaterThan(0)
  await expect(claude).toContainText(formatUsd(cost))
  await expect(row(page, CODEX_SESSION)).toContainText('Codex')
  await expect(row(page, CODEX_SESSION)).toHaveAttribute('data-calls', '2')
  await expect(row(page, OTHER_SESSION)).toContainText('aider')
  await expect(row(page, OTHER_SESSION)).toContainText('billing')
  await page.screenshot({ path: join(SHOTS, 'sessions.png'), fullPage: true })
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.screenshot({ path: join(SHOTS, 'sessions-dark.png'), fullPage: true })
})

test('a session opens its calls in order, and a call opens in Logs among the session’s calls', async ({ page }) => {
  await page.goto(`${gateway.baseUrl}/#/sessions`)
  await page.getByRole('button', { name: `Show the calls of session ${CLAUDE_SESSION}` }).click()
  const calls = page.getByRole('table', { name: `Calls of session ${CLAUDE_SESSION}` })
  await expect(calls.getByTestId('session-call')).toHaveCount(3)
  await expect(calls.getByRole('row').nth(1)).toContainText('mock-gpt')
  await expect(calls.getByRole('row').nth(2)).toContainText('mock-gpt-mini')
  // The open session is in the URL: a reload shows it open.
  await page.reload()
  await expect(page.getByRole('table', { name: `Calls of session ${CLAUDE_SESSION}` })).toBeVisible()
  await page.screenshot({ path: join(SHOTS, 'sessions-open.png'), fullPage: true })
  await page.getByRole('button', { name: `Show the calls of session ${OTHER_SESSION}` }).click()
  await expect(
    page.getByRole('table', { name: `Calls of session ${OTHER_SESSION}` }).getByTestId('session-call'),
  ).toHaveCount(1)
  // One session is open at a time.
  await expect(page.getByRole('table', { name: `Calls of session ${CLAUDE_SESSION}` })).toHaveCount(0)
  await page.getByRole('button', { name: `Hide the calls of session ${OTHER_SESSION}` }).click()
  await page.getByRole('button', { name: `Show the calls of session ${CLAUDE_SESSION}` }).click()

  const second = page.getByTestId('session-call').nth(1)
  const requestId = await second.getAttribute('data-request-id')
  await second.getByRole('link', { name: 'Open in Logs' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Logs' })).toBeVisible()
  await expect(page.getByLabel('Session', { exact: true })).toHaveValue(CLAUDE_SESSION)
  await expect(page.getByTestId('log-row')).toHaveCount(3)
  const drawer = page.getByTestId('log-drawer')
  await expect(drawer).toContainText(requestId!)
  await expect(drawer).toContainText(CLAUDE_SESSION)
  await expect(drawer).toContainText('Claude Code')
  await expect(drawer).toContainText('switchyard')
  await page.screenshot({ path: join(SHOTS, 'sessions-call-in-logs.png'), fullPage: true })
  // And back: the drawer opens the session on the Sessions page.
  await drawer.getByRole('link', { name: 'Open in Sessions' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Sessions' })).toBeVisible()
  await expect(page.getByRole('table', { name: `Calls of session ${CLAUDE_SESSION}` })).toBeVisible()
})

test('filters by tool and project, and says when nothing matches', async ({ page }) => {
  await page.goto(`${gateway.baseUrl}/#/sessions`)
  await page.getByLabel('Tool', { exact: true }).selectOption('codex')
  await expect(page.getByTestId('session-row')).toHaveCount(1)
  await expect(row(page, CODEX_SESSION)).toBeVisible()
  await expect(page).toHaveURL(/tool=codex/)
  await page.getByLabel('Tool', { exact: true }).selectOption('')
  await page.getByLabel('Project', { exact: true }).fill('billing')
  await expect(page.getByTestId('session-row')).toHaveCount(1)
  await expect(row(page, OTHER_SESSION)).toBeVisible()
  await page.getByLabel('Project', { exact: true }).fill('nothing-like-this')
  await expect(page.getByText('No session matches these filters.')).toBeVisible()
  await page.getByRole('button', { name: 'Clear filters' }).first().click()
  await expect(page.getByTestId('session-row')).toHaveCount(3)
})

test('Projects: what each project cost in the range; choosing one shows its sessions', async ({ page }) => {
  await page.goto(`${gateway.baseUrl}/#/sessions`)
  const projects = page.getByRole('table', { name: 'Projects' })
  await expect(projects.getByTestId('project-row')).toHaveCount(2)
  const switchyard = projects.locator('[data-project="switchyard"]')
  await expect(switchyard).toContainText('3')
  const cost = Number(await switchyard.getAttribute('data-cost'))
  // The project's cost is its session's: all three of the Claude Code session's calls named it.
  await expect(row(page, CLAUDE_SESSION)).toHaveAttribute('data-cost', String(cost))
  await projects.getByRole('button', { name: 'billing' }).click()
  await expect(page.getByTestId('session-row')).toHaveCount(1)
  await expect(row(page, OTHER_SESSION)).toBeVisible()
  await expect(page.getByLabel('Project', { exact: true })).toHaveValue('billing')
  await page.screenshot({ path: join(SHOTS, 'sessions-projects.png'), fullPage: true })
  await projects.getByRole('button', { name: 'billing' }).click()
  await expect(page.getByTestId('session-row')).toHaveCount(3)
})
