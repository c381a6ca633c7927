import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import type { McpCallRecord } from '../../src-gateway/mcp/call-log'
import { recordMcpCall } from '../../src-gateway/mcp/call-log'
import { closeDatabase, openDatabase } from '../../src-gateway/store/db'
import { createLogWriter } from '../../src-gateway/store/log-writer'
import { type ServeProcess, startServe } from '../helpers/serve-process'
import { failOnConsoleErrors, signIn } from '../helpers/ui-checks'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams'

// MCP tool calls on the web build served by the real gateway: rows written through the real log writer into the
// gateway's own database (as the /mcp endpoint's recordMcpCall writes them), beside a real model call. The Overview
// counts them in their own card; Logs filters them, and a row opens a drawer with server, tool, arguments, result.
const SHOTS = join(import.meta.dirname, 'screenshots')

let mock: RunningMock
let gateway: ServeProcess

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })
test.describe.configure({ mode: 'serial' })

const call = (over: Partial<McpCallRecord>): McpCallRecord => ({
  requestId: `req_mcp_${over.tool ?? 'echo'}_${over.status ?? 200}`,
  startedAt: Date.now() - 60_000,
  server: 'everything',
  tool: 'echo',
  namespaced: 'everything__echo',
  keyName: 'ci',
  clientTool: 'claude-code',
  sessionId: 'c0ffee-session',
  status: 200,
  latencyMs: 42,
  method: 'tools/call',
  arguments: { message: 'hello from the e2e' },
  result: { content: [{ type: 'text', text: 'Echo: hello from the e2e' }] },
  ...over,
})

test.beforeAll(async () => {
  mock = await startMockUpstream()
  gateway = await startServe(`
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
`)
  const res = await fetch(`${gateway.baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'hi' }] }),
  })
  expect(res.status, await res.text()).toBe(200)
  // A second connection to the running gateway's database, as SQLite allows: the writer's transactions take the
  // write lock, and the roll-up watermark is moved under it.
  const db = openDatabase(gateway.dataDir)
  const writer = createLogWriter(db)
  const gw = { sink: writer, captureBodies: true }
  recordMcpCall(gw, call({}))
  recordMcpCall(
    gw,
    call({
      tool: 'add',
      namespaced: 'everything__add',
      arguments: { a: 2, b: 3 },
      result: { content: [{ type: 'text', text: 'The sum of 2 and 3 is 5.' }] },
    }),
  )
  recordMcpCall(
    gw,
    call({
      server: 'github',
      tool: 'search_code',
      namespaced: 'github__search_code',
      status: 504,
      error: 'the server did not answer within 60 s',
      result: undefined,
      arguments: { q: 'recordMcpCall' },
    }),
  )
  await writer.close()
  closeDatabase(db)
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

test('the Overview counts tool calls in their own card, and the model figures count only the model call', async ({
  page,
}) => {
  await page.getByRole('link', { name: 'Overview', exact: true }).click()
  const card = page.getByTestId('card-mcp-calls')
  await expect(card.getByTestId('kpi-mcp-calls')).toHaveAttribute('data-value', '3')
  await expect(card.getByTestId('kpi-mcp-errors')).toHaveAttribute('data-value', '1')
  await expect(card.getByTestId('mcp-server-everything')).toContainText('2')
  await expect(card.getByTestId('mcp-tool-github__search_code')).toContainText('search_code')
  await expect(page.getByTestId('kpi-requests')).toHaveAttribute('data-value', '1')
  await card.scrollIntoViewIfNeeded()
  await card.screenshot({ path: join(SHOTS, 'overview-mcp-calls.png') })
  // The error count opens the failed tool calls in Logs.
  await card.getByTestId('kpi-mcp-errors').getByRole('link').click()
  await expect(page.getByLabel('Calls', { exact: true })).toHaveValue('mcp')
  await expect(page.getByLabel('Status', { exact: true })).toHaveValue('error')
  await expect(page.getByTestId('log-row')).toHaveCount(1)
  await expect(page.getByTestId('log-row')).toContainText('github__search_code')
})

test('Logs shows tool calls beside model calls, filters them, and opens one with its arguments and result', async ({
  page,
}) => {
  await page.getByRole('link', { name: 'Logs', exact: true }).click()
  await expect(page.getByTestId('log-row')).toHaveCount(4)
  await expect(page.locator('[data-testid="log-row"][data-kind="mcp"]')).toHaveCount(3)
  await expect(page.locator('[data-testid="log-row"][data-kind="model"]')).toHaveCount(1)
  await page.getByLabel('Calls', { exact: true }).selectOption('mcp')
  await expect(page.getByTestId('log-row')).toHaveCount(3)
  await page.screenshot({ path: join(SHOTS, 'logs-mcp-calls.png'), fullPage: true })
  await page.getByLabel('Calls', { exact: true }).selectOption('model')
  await expect(page.getByTestId('log-row')).toHaveCount(1)
  await page.getByLabel('Calls', { exact: true }).selectOption('mcp')

  await page.locator('[data-testid="log-row"][data-request-id="req_mcp_echo_200"]').click()
  const drawer = page.getByTestId('log-drawer')
  await expect(drawer.getByRole('heading', { name: /^Tool call #\d+$/ })).toBeVisible()
  await expect(drawer.getByTestId('mcp-server')).toHaveText('everything')
  await expect(drawer.getByTestId('mcp-tool')).toHaveText('echo')
  await expect(drawer).toContainText('everything__echo')
  await expect(drawer).toContainText('Claude Code')
  await expect(drawer).toContainText('c0ffee-session')
  await expect(drawer.getByRole('button', { name: 'Copy as curl' })).toHaveCount(0)
  await page.screenshot({ path: join(SHOTS, 'logs-mcp-drawer.png'), fullPage: true })
  await drawer.getByRole('tab', { name: 'Arguments' }).click()
  await expect(drawer.locator('pre')).toContainText('"message": "hello from the e2e"')
  await drawer.getByRole('tab', { name: 'Result' }).click()
  await expect(drawer.locator('pre')).toContainText('Echo: hello from the e2e')
  await page.screenshot({ path: join(SHOTS, 'logs-mcp-drawer-result.png'), fullPage: true })
  await drawer.getByRole('button', { name: 'Close' }).click()

  // A call the server never answered: its error is its result.
  await page.locator('[data-testid="log-row"][data-request-id="req_mcp_search_code_504"]').click()
  await expect(drawer).toContainText('the server did not answer within 60 s')
  await drawer.getByRole('tab', { name: 'Result' }).click()
  await expect(drawer.locator('pre')).toContainText('"error": "the server did not answer within 60 s"')
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.screenshot({ path: join(SHOTS, 'logs-mcp-drawer-dark.png'), fullPage: true })
})
