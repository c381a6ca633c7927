import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { type ServeProcess, startServe } from '../helpers/serve-process'
import { signIn } from '../helpers/ui-checks'

// The model portal against the real gateway: what each workspace may call, its prices and keys, and snippets.
const SHOTS = join(import.meta.dirname, 'screenshots')

let gateway: ServeProcess

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })

test.beforeAll(async () => {
  gateway = await startServe(`
workspaces:
  alpha: { name: Alpha team }
providers:
  mock: { type: openai-compatible, baseUrl: "http://127.0.0.1:9/v1", models: [gpt-a, gpt-b] }
pricing:
  mock/gpt-a: { input: 3, output: 15 }
routes:
  everyone: { targets: [{ model: mock/gpt-a, contextWindow: 128000 }] }
  alpha-route: { targets: [{ model: mock/gpt-b }], workspaces: [alpha] }
keys:
  - { name: alpha-ci, key: "sk-sy-e2e-portal-0123456789abcdef", workspace: alpha, models: [everyone], limits: { rpm: 60 } }
`)
})
test.afterAll(async () => {
  await gateway?.stop()
})

test('the portal lists what each workspace may call, with prices, keys and snippets to copy', async ({ page }) => {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await signIn(page, gateway)
  await page.goto(`${gateway.baseUrl}/#/`)
  await page.getByRole('link', { name: 'Portal' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Portal' })).toBeVisible()

  // Solo mode shows the default workspace: everything shared, nothing restricted to alpha.
  await expect(page.getByLabel('Workspace', { exact: true })).toHaveValue('default')
  const everyone = page.getByTestId('portal-item-everyone')
  await expect(everyone).toContainText('$3.00 / $15.00')
  await expect(everyone).toContainText('128k')
  await expect(page.getByTestId('portal-item-alpha-route')).toHaveCount(0)

  await page.getByLabel('Workspace', { exact: true }).selectOption('alpha')
  await expect(page.getByTestId('portal-item-alpha-route')).toBeVisible()
  await expect(page.getByTestId('portal-keys')).toContainText('alpha-ci')
  await expect(page.getByTestId('portal-keys')).toContainText('60 req/min')
  await expect(page.getByTestId('portal-item-everyone')).toContainText('alpha-ci')

  await page.getByLabel('Search', { exact: true }).fill('alpha')
  await expect(page.getByTestId('portal-item-everyone')).toHaveCount(0)
  await page.getByRole('button', { name: 'alpha-route' }).click()
  const snippets = page.getByTestId('portal-snippets')
  await expect(snippets).toContainText('none of them may call this yet')
  await snippets.getByRole('tab', { name: 'Claude Code' }).click()
  const code = page.getByTestId('portal-snippet-claude-code')
  await expect(code).toContainText(`export ANTHROPIC_BASE_URL='${gateway.baseUrl}'`)
  await expect(code).toContainText("export ANTHROPIC_MODEL='alpha-route'")
  await expect(code).toContainText("ANTHROPIC_AUTH_TOKEN='<your key>'")
  await snippets.getByRole('tab', { name: 'Codex' }).click()
  await expect(page.getByTestId('portal-snippet-codex')).toContainText('[model_providers.switchyard]')
  await expect(snippets.getByRole('button', { name: 'Copy snippet' })).toBeVisible()
  await expect(page.getByText('sk-sy-e2e-portal')).toHaveCount(0)

  // Access: alpha-ci may not call alpha-route; request it, approve it, and the list says the key may.
  await snippets.getByLabel('Reason', { exact: true }).fill('nightly evals')
  await snippets.getByRole('button', { name: 'Request access' }).click()
  const request = page.getByTestId('portal-request-alpha-route')
  await expect(request).toContainText('nightly evals')
  await request.getByRole('button', { name: 'Approve' }).click()
  await expect(request).toContainText('approved by admin')
  await expect(page.getByTestId('portal-item-alpha-route')).toContainText('alpha-ci')

  await page.getByLabel('Search', { exact: true }).fill('')
  await page.screenshot({ path: join(SHOTS, 'portal.png'), fullPage: true })
  expect(errors).toEqual([])
})
