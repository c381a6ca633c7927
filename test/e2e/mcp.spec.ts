import { createRequire } from 'node:module'
import { expect, test } from '@playwright/test'
import { type SecondServer, startSecondServer } from '../helpers/mcp-second-server'
import { type ServeProcess, startServe } from '../helpers/serve-process'
import { failOnConsoleErrors, shot, signIn } from '../helpers/ui-checks'

// The MCP servers page as a user meets it: add the reference server-everything over stdio, test it before
// saving, see its tools once the gateway has started it, switch it off and see the state change live.

const EVERYTHING = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/dist/index.js')
const SECRET = 'sk-e2e-mcp-SECRET-0123456789'
const TOKEN = 'remote-e2e-TOKEN-abcdefghijkl'

let gateway: ServeProcess
let remote: SecondServer

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })
test.describe.configure({ mode: 'serial' })
failOnConsoleErrors()

test.beforeAll(async () => {
  gateway = await startServe('discovery: { enabled: false }\n')
  remote = await startSecondServer(TOKEN)
})
test.afterAll(async () => {
  await gateway?.stop()
  await remote?.close()
})

test('add server-everything over stdio, test it, see its tools, disable it', async ({ page }) => {
  await signIn(page, gateway)
  await page.goto(`${gateway.baseUrl}/#/`)
  await page.getByRole('link', { name: 'MCP servers', exact: true }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'MCP servers' })).toBeVisible()
  await expect(page.getByText('No MCP server yet.')).toBeVisible()
  await shot(page, 'mcp-empty')

  await page.getByRole('button', { name: '+ Add server' }).first().click()
  const form = page.getByRole('form', { name: 'Add MCP server' })
  await form.getByLabel('Name').fill('everything')
  await form.getByLabel('Command').fill(process.execPath)
  await form.getByLabel('Arguments, one per line').fill(`${EVERYTHING}\nstdio`)
  await form.getByRole('button', { name: '+ Add variable' }).click()
  await form.getByLabel('Environment 1 name').fill('API_KEY')
  await form.getByLabel('Environment 1 value').fill(SECRET)
  await form.getByLabel('Tools that need confirmation (optional)').fill('trigger-*')

  // Test before saving: the tools it offers, and nothing saved yet.
  await form.getByRole('button', { name: 'Test' }).click()
  const result = form.getByTestId('mcp-test-result')
  await expect(result).toContainText('✔ Connected', { timeout: 30_000 })
  await expect(result.getByRole('list', { name: 'Tools found' })).toContainText('echo')
  await shot(page, 'mcp-form-tested')

  await form.getByRole('button', { name: 'Add server', exact: true }).click()
  await expect(form).toHaveCount(0)
  const card = page.locator('[data-testid="mcp-server"][data-server="everything"]')
  // The page refreshes on its own: the server is started by the gateway and becomes ready.
  await expect(card).toHaveAttribute('data-state', 'ready', { timeout: 30_000 })
  await expect(card.getByTestId('mcp-state')).toHaveText('● ready')
  await expect(card.getByTestId('mcp-counts')).toContainText(/\d+ tools · \d+ prompts · \d+ resources · 0 restarts/)

  await card.getByRole('button', { name: 'Details' }).click()
  const tools = card.getByRole('table', { name: 'Tools of everything' })
  await expect(tools.getByRole('row', { name: /echo/ })).toBeVisible()
  await expect(tools.getByRole('row', { name: /trigger-long-running-operation/ })).toContainText('⚠ needs confirmation')
  await expect(tools.getByRole('row', { name: /^echo/ })).not.toContainText('needs confirmation')
  await shot(page, 'mcp-ready')

  // The secret typed in is nowhere on the page, only its mask.
  await card.getByRole('button', { name: 'Edit' }).click()
  const edit = page.getByRole('form', { name: 'Edit everything' })
  await expect(edit.getByLabel('Environment 1 value')).toHaveAttribute('placeholder', /\(unchanged\)/)
  expect(await page.content()).not.toContain(SECRET)
  await edit.getByRole('button', { name: 'Cancel' }).click()

  await card.getByRole('switch', { name: 'everything enabled' }).click()
  await expect(card.getByRole('switch', { name: 'everything enabled' })).not.toBeChecked()
  await expect(card).toHaveAttribute('data-state', 'disabled', { timeout: 15_000 })
  await expect(card.getByTestId('mcp-state')).toHaveText('○ disabled')
  await expect(card.getByTestId('mcp-counts')).toContainText('0 tools')
  await shot(page, 'mcp-disabled')

  await page.emulateMedia({ colorScheme: 'dark' })
  await card.getByRole('switch', { name: 'everything enabled' }).click()
  await expect(card).toHaveAttribute('data-state', 'ready', { timeout: 30_000 })
  await expect(card.getByRole('table', { name: 'Tools of everything' })).toBeVisible()
  await shot(page, 'mcp-ready-dark')
  await card.getByRole('button', { name: 'Edit' }).click()
  await shot(page, 'mcp-form-dark')
  await page.getByRole('button', { name: 'Cancel' }).click()

  await card.getByRole('button', { name: 'Delete' }).click()
  await card.getByRole('button', { name: 'Delete everything' }).click()
  await expect(card).toHaveCount(0)
  await expect(page.getByText('No MCP server yet.')).toBeVisible()
})

test('add a remote server over Streamable HTTP with its bearer token as a secret header', async ({ page }) => {
  await signIn(page, gateway)
  await page.goto(`${gateway.baseUrl}/#/mcp`)
  await page.getByRole('button', { name: '+ Add server' }).first().click()
  const form = page.getByRole('form', { name: 'Add MCP server' })
  await form.getByLabel('Name').fill('second')
  await form.getByLabel('Runs').selectOption('remote')
  await form.getByLabel('URL').fill(remote.url)
  await form.getByLabel('Transport').selectOption('streamable-http')
  await form.getByRole('button', { name: '+ Add header' }).click()
  await form.getByLabel('Headers 1 name').fill('Authorization')
  // Without the token the server answers 401: the test says so, and nothing is saved.
  await form.getByLabel('Headers 1 value').fill('Bearer wrong-token-000000')
  await form.getByRole('button', { name: 'Test' }).click()
  await expect(form.getByTestId('mcp-test-result')).toContainText('✘ Could not connect', { timeout: 20_000 })
  await form.getByLabel('Headers 1 value').fill(`Bearer ${TOKEN}`)
  await form.getByLabel('Tools that need confirmation (optional)').fill('write_*')
  await form.getByRole('button', { name: 'Add server', exact: true }).click()

  const card = page.locator('[data-testid="mcp-server"][data-server="second"]')
  await expect(card).toHaveAttribute('data-state', 'ready', { timeout: 20_000 })
  await expect(card.getByText('Streamable HTTP', { exact: true })).toBeVisible()
  await card.getByRole('button', { name: 'Details' }).click()
  const tools = card.getByRole('table', { name: 'Tools of second' })
  await expect(tools.getByRole('row', { name: /write_note/ })).toContainText('⚠ needs confirmation')
  await expect(tools.getByRole('row', { name: /^echo/ })).not.toContainText('needs confirmation')
  await expect(card.getByRole('region', { name: /^Standard error/ })).toHaveCount(0)
  expect(await page.content()).not.toContain(TOKEN)
  await shot(page, 'mcp-remote')
})
