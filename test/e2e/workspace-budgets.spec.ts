import { join } from 'node:path'
import { expect, type Page, test } from '@playwright/test'
import OpenAI from 'openai'
import {
  type Person,
  pageHeading,
  setUpOwnerOverHttp,
  signInAs,
  startGatewayWithMock,
  watchConsole,
} from '../helpers/e2e-gateway'

// A workspace's budget and limits from the web UI on the real gateway (issue 21, board s9 decision 5): an owner
// sets them in Settings → Team → Workspaces, a key of the workspace spends the budget with the openai SDK, the row
// shows the spend and the next call is refused; the Portal shows the workspace's budget to its members.

const SHOTS = join(import.meta.dirname, 'screenshots')
const ALPHA_KEY = 'sk-sy-e2e-ws-budget-alpha-0123456789'
const OWNER: Person = { name: 'Olive Owner', email: 'olive@example.com', password: 'owner passphrase 1' }

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })
test.describe.configure({ mode: 'serial' })

// The mock answers 20 completion tokens: $1.00 a call at this price.
const running = startGatewayWithMock(
  (mockUrl) => `
auth: { mode: team }
workspaces:
  alpha: { name: Alpha team }
providers:
  mock: { type: openai-compatible, baseUrl: "${mockUrl}/v1", models: [mock-gpt] }
pricing:
  mock/mock-gpt: { input: 0, output: 50000 }
keys:
  - { name: alpha-ci, key: "\${env:SY_E2E_WS_BUDGET_KEY}", workspace: alpha }
`,
  { SY_E2E_WS_BUDGET_KEY: ALPHA_KEY },
)

test.beforeAll(async () => {
  await setUpOwnerOverHttp(running.gateway, OWNER)
})

const alphaRow = (page: Page) => page.locator('[data-testid="workspace-row"][data-workspace="alpha"]')
const ask = () =>
  new OpenAI({ baseURL: `${running.gateway.baseUrl}/v1`, apiKey: ALPHA_KEY, maxRetries: 0 }).chat.completions.create({
    model: 'mock/mock-gpt',
    messages: [{ role: 'user', content: 'hi' }],
    max_tokens: 20,
  })

test('an owner sets a workspace budget and limits; its key spends it and is refused; the row and Portal show it', async ({
  page,
}) => {
  const errors = watchConsole(page)
  await signInAs(page, running.gateway, OWNER)
  await expect(pageHeading(page, 'Overview')).toBeVisible()
  await page.goto(`${running.gateway.baseUrl}/#/settings`)
  const row = alphaRow(page)
  await expect(row.getByTestId('workspace-budget')).toContainText('none')

  await row.getByRole('button', { name: 'Budget and limits of Alpha team' }).click()
  const form = row.getByRole('form', { name: 'Budget and limits of Alpha team' })
  await form.getByLabel('Budget (USD)').fill('1')
  await form.getByLabel('Budget period').selectOption('month')
  await form.getByLabel('Requests per minute').fill('50')
  await form.getByRole('button', { name: 'Save' }).click()
  await expect(form).toBeHidden()
  await expect(row.getByTestId('workspace-budget')).toContainText('$0 / $1.00 · month')
  await expect(row.getByTestId('workspace-budget')).toContainText('50 rpm')

  // The workspace's key spends the $1 with the openai SDK; the next call is refused with the workspace's code.
  await ask()
  const refused = await ask().then(
    () => null,
    (e: { status?: number; code?: string }) => e,
  )
  expect(refused).toMatchObject({ status: 429, code: 'workspace_budget_exceeded' })

  await page.reload()
  await expect(row.getByTestId('workspace-budget')).toContainText('$1.00 / $1.00 · month')
  await expect(row.getByRole('progressbar', { name: 'Budget used' })).toHaveAttribute('aria-valuenow', '100')
  await row.scrollIntoViewIfNeeded()
  await page.screenshot({ path: join(SHOTS, 'team-workspace-budget.png') })

  // The Portal shows the workspace's budget above its keys.
  await page.goto(`${running.gateway.baseUrl}/#/portal`)
  await page.getByLabel('Workspace').selectOption('alpha')
  await expect(page.getByTestId('portal-workspace-budget')).toHaveText(
    'All its keys together: $1.00 of $1.00 spent this month · calls are refused once spent · 50 req/min',
  )
  await page.screenshot({ path: join(SHOTS, 'portal-workspace-budget.png') })

  // Removing the budget in the form lets the key call again.
  await page.goto(`${running.gateway.baseUrl}/#/settings`)
  await row.getByRole('button', { name: 'Budget and limits of Alpha team' }).click()
  await form.getByLabel('Budget (USD)').fill('')
  await form.getByRole('button', { name: 'Save' }).click()
  await expect(row.getByTestId('workspace-budget')).toContainText('none')
  await expect(ask()).resolves.toBeTruthy()
  expect(errors).toEqual([])
})
