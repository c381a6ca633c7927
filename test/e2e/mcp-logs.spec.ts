import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { expect, test } from '@playwright/test'
import { type ServeProcess, startServe } from '../helpers/serve-process'
import { failOnConsoleErrors, signIn } from '../helpers/ui-checks'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams'

// MCP tool calls on the web build served by the real gateway: a real MCP client calls server-everything (stdio)
// through the gateway's /mcp endpoint, beside a real model call. The Overview counts the tool calls in their own
// card; Logs filters them, and a row opens a drawer with server, tool, client, arguments and result.
const SHOTS = join(import.meta.dirname, 'screenshots')
const EVERYTHING = join(import.meta.dirname, '../../node_modules/.bin/mcp-server-everything')

let mock: RunningMock
let gateway: ServeProcess

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })
test.describe.configure({ mode: 'serial' })

test.beforeAll(async () => {
  mock = await startMockUpstream()
  gateway = await startServe(`
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
mcp:
  servers:
    everything: { command: ${JSON.stringify(EVERYTHING)}, args: [stdio] }
`)
  const res = await fetch(`${gateway.baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'hi' }] }),
  })
  expect(res.status, await res.text()).toBe(200)
  const client = new Client({ name: 'e2e-client', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.baseUrl}/mcp`)))
  try {
    // The gateway starts its servers in the background: wait until the tools are offered.
    await expect
      .poll(async () => (await client.listTools()).tools.map((t) => t.name), { timeout: 30_000 })
      .toContain('everything__echo')
    await client.callTool({ name: 'everything__echo', arguments: { message: 'hello from the e2e' } })
    await client.callTool({ name: 'everything__get-sum', arguments: { a: 2, b: 3 } })
    await expect(client.callTool({ name: 'everything__no-such-tool', arguments: {} })).rejects.toThrow(/unknown tool/)
  } finally {
    await client.close()
  }
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
  await expect(card.getByTestId('mcp-tool-everything__get-sum')).toContainText('get-sum')
  await expect(card.getByTestId('mcp-tool-__everything__no-such-tool')).toContainText('everything__no-such-tool')
  await expect(page.getByTestId('kpi-requests')).toHaveAttribute('data-value', '1')
  await card.scrollIntoViewIfNeeded()
  await card.screenshot({ path: join(SHOTS, 'overview-mcp-calls.png') })
  // The error count opens the failed tool calls in Logs.
  await card.getByTestId('kpi-mcp-errors').getByRole('link').click()
  await expect(page.getByLabel('Calls', { exact: true })).toHaveValue('mcp')
  await expect(page.getByLabel('Status', { exact: true })).toHaveValue('error')
  await expect(page.getByTestId('log-row')).toHaveCount(1)
  await expect(page.getByTestId('log-row')).toContainText('everything__no-such-tool')
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

  await page.locator('[data-testid="log-row"][data-kind="mcp"][data-model="echo"]').click()
  const drawer = page.getByTestId('log-drawer')
  await expect(drawer.getByRole('heading', { name: /^Tool call #\d+$/ })).toBeVisible()
  await expect(drawer.getByTestId('mcp-server')).toHaveText('everything')
  await expect(drawer.getByTestId('mcp-tool')).toHaveText('echo')
  await expect(drawer).toContainText('everything__echo')
  await expect(drawer).toContainText('e2e-client')
  await expect(drawer).toContainText('MCP session')
  await expect(drawer.getByRole('button', { name: 'Copy as curl' })).toHaveCount(0)
  await page.screenshot({ path: join(SHOTS, 'logs-mcp-drawer.png'), fullPage: true })
  await drawer.getByRole('tab', { name: 'Arguments' }).click()
  await expect(drawer.locator('pre')).toContainText('"message": "hello from the e2e"')
  await drawer.getByRole('tab', { name: 'Result' }).click()
  await expect(drawer.locator('pre')).toContainText('Echo: hello from the e2e')
  await page.screenshot({ path: join(SHOTS, 'logs-mcp-drawer-result.png'), fullPage: true })
  await drawer.getByRole('button', { name: 'Close' }).click()

  // A call no server could answer: its error is its result.
  await page.locator('[data-testid="log-row"][data-kind="mcp"][data-model="everything__no-such-tool"]').click()
  await expect(drawer).toContainText("unknown tool 'everything__no-such-tool'")
  await expect(drawer.getByTestId('mcp-server')).toHaveText('none (no server offers this tool)')
  await drawer.getByRole('tab', { name: 'Result' }).click()
  await expect(drawer.locator('pre')).toContainText(/"error": ".*unknown tool 'everything__no-such-tool'"/)
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.screenshot({ path: join(SHOTS, 'logs-mcp-drawer-dark.png'), fullPage: true })
})
