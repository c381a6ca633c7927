import { createRequire } from 'node:module'
import { expect, test } from '@playwright/test'
import { type ServeProcess, startServe } from '../helpers/serve-process'
import { failOnConsoleErrors, shot, signIn } from '../helpers/ui-checks'

// The Connect page's MCP section: each agent's setup for /mcp with this gateway's address, and "Test MCP
// connection" listing the tools a chosen key would see (server-everything over stdio behind the hub).

const EVERYTHING = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/dist/index.js')

let gateway: ServeProcess

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' })
failOnConsoleErrors()

test.beforeAll(async () => {
  const config = {
    discovery: { enabled: false },
    keys: [
      { name: 'echo-only', key: 'sk-e2e-connect-mcp-0123456789', mcp: { tools: ['everything__echo'] } },
      { name: 'models-only', key: 'sk-e2e-connect-models-0123456789' },
    ],
    mcp: { servers: { everything: { command: process.execPath, args: [EVERYTHING, 'stdio'] } } },
  }
  gateway = await startServe(JSON.stringify(config))
})
test.afterAll(async () => {
  await gateway?.stop()
})

test('Connect shows each agent how to reach /mcp and lists the tools a key sees', async ({ page }) => {
  await signIn(page, gateway)
  await page.goto(`${gateway.baseUrl}/#/connect`)
  await expect(page.getByRole('heading', { level: 2, name: 'MCP tools' })).toBeVisible()
  await expect(page.getByTestId('mcp-snippet-claude-code')).toHaveText(
    `claude mcp add --transport http switchyard ${gateway.baseUrl}/mcp --header "Authorization: Bearer $SWITCHYARD_KEY"`,
  )
  await page.getByLabel('MCP client').selectOption('Codex CLI')
  await expect(page.getByTestId('mcp-snippet-codex')).toContainText(`url = "${gateway.baseUrl}/mcp"`)
  await page.getByLabel('MCP client').selectOption('Claude Desktop')
  await expect(page.getByRole('note').filter({ hasText: 'mcp-remote' })).toBeVisible()

  await page.getByLabel('Key', { exact: true }).selectOption('echo-only')
  const preview = page.getByTestId('mcp-preview')
  // The hub starts the server in the background: test until its tools are there.
  await expect(async () => {
    await page.getByRole('button', { name: 'Test MCP connection' }).click()
    await expect(preview).toContainText("1 tool for key 'echo-only':", { timeout: 1000 })
  }).toPass({ timeout: 30_000 })
  await expect(preview.getByRole('listitem')).toHaveText([/^everything__echo/])
  await shot(page, 'connect-mcp')

  await page.getByLabel('Key', { exact: true }).selectOption('models-only')
  await page.getByRole('button', { name: 'Test MCP connection' }).click()
  await expect(page.getByTestId('mcp-preview')).toContainText("No tools for key 'models-only'")
})
