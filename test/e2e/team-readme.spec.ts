import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { expect, test } from '@playwright/test'
import { pageHeading, signInAs, signOut, startGatewayWithMock, watchConsole } from '../helpers/e2e-gateway'

// README's "Running Switchyard for a team", step by step from a fresh install (issue 21): its team.yaml (the
// provider's baseUrl points at the mock instead of api.openai.com), the setup link `serve` prints, the first owner,
// a workspace and a member made in Settings → Team, and the member signing in, making a key and calling a model by
// pasting the Portal's curl snippet with that key in place of `<your key>`.

const OWNER = { name: 'Olive Owner', email: 'olive@example.com', password: 'owner passphrase 1' }
const MEMBER = { name: 'Dana Dev', email: 'dana@example.com', password: 'temporary-dev-pass-1' }

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })
test.describe.configure({ mode: 'serial' })

const running = startGatewayWithMock(
  (mockUrl) => `
auth: { mode: team }
server: { allowedHosts: [gateway.example.com] }
workspaces:
  payments: { name: Payments }
providers:
  openai: { type: openai, baseUrl: "${mockUrl}/v1", apiKey: "\${env:OPENAI_API_KEY}" }
keys:
  - { name: payments-ci, key: "\${env:SWITCHYARD_KEY_PAYMENTS_CI}", workspace: payments }
`,
  { OPENAI_API_KEY: 'sk-e2e-readme-upstream', SWITCHYARD_KEY_PAYMENTS_CI: 'sk-sy-e2e-readme-payments-ci-0123456789' },
)

test('step 2: the printed setup link creates the first owner', async ({ page }) => {
  const errors = watchConsole(page)
  const link = running.gateway.takeLoginUrl()
  expect(link).toMatch(/\/setup\?token=/)
  await page.goto(link!)
  await expect(pageHeading(page, 'Set up your team')).toBeVisible()
  await page.getByLabel('Name').fill(OWNER.name)
  await page.getByLabel('Email').fill(OWNER.email)
  await page.getByLabel('Password', { exact: true }).fill(OWNER.password)
  await page.getByLabel('Password again').fill(OWNER.password)
  await page.getByRole('button', { name: 'Create owner and sign in' }).click()
  await expect(pageHeading(page, 'Overview')).toBeVisible()
  // The link works once.
  const again = await fetch(`${running.gateway.baseUrl}/auth/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: new URL(link!).searchParams.get('token'), ...MEMBER }),
  })
  expect(again.ok).toBe(false)
  expect(errors).toEqual([])
})

test('step 3: Settings → Team: a workspace, then a member of payments', async ({ page }) => {
  const errors = watchConsole(page)
  await signInAs(page, running.gateway, OWNER)
  await expect(pageHeading(page, 'Overview')).toBeVisible()
  await page.goto(`${running.gateway.baseUrl}/#/settings`)
  await expect(page.getByRole('heading', { name: 'Workspaces' })).toBeVisible()
  await expect(page.locator('[data-testid="workspace-row"][data-workspace="payments"]')).toContainText('Payments')

  await page.getByRole('button', { name: '+ Create workspace' }).click()
  const create = page.getByRole('form', { name: 'Create workspace' })
  await create.getByLabel('Id').fill('research')
  await create.getByLabel('Name').fill('Research')
  await create.getByRole('button', { name: 'Create workspace' }).click()
  await expect(page.locator('[data-testid="workspace-row"][data-workspace="research"]')).toContainText('Research')

  await page.getByRole('button', { name: '+ Add member' }).click()
  const form = page.getByRole('form', { name: 'Add member' })
  await form.getByLabel('Name').fill(MEMBER.name)
  await form.getByLabel('Email').fill(MEMBER.email)
  await form.getByLabel('Role').selectOption('developer')
  // `default` comes ticked: the member is in payments only.
  await form.getByRole('checkbox', { name: 'Default' }).uncheck()
  await form.getByRole('checkbox', { name: 'Payments' }).check()
  await form.getByLabel('Temporary password').fill(MEMBER.password)
  await form.getByRole('button', { name: 'Add member' }).click()
  const row = page.getByTestId('member-row').filter({ hasText: MEMBER.email })
  await expect(row).toContainText('developer')
  await expect(row).toContainText('payments')
  await signOut(page)
  expect(errors).toEqual([])
})

test('step 4: the member signs in, makes a key and calls a model with the Portal’s curl snippet', async ({ page }) => {
  const errors = watchConsole(page)
  await signInAs(page, running.gateway, MEMBER)
  await expect(pageHeading(page, 'Overview')).toBeVisible()

  await page.getByRole('link', { name: 'Keys & Policies' }).click()
  await expect(pageHeading(page, 'Keys & Policies')).toBeVisible()
  // The config's key of her workspace is listed (never its value); she picks payments for hers, as the README says.
  await expect(page.getByRole('table', { name: 'Keys' }).getByRole('row', { name: 'payments-ci' })).toBeVisible()
  await page.getByRole('button', { name: 'New key' }).click()
  await page.getByLabel('Name', { exact: true }).fill('dana-laptop')
  await page.getByLabel('Workspace', { exact: true }).last().selectOption('payments')
  await page.getByRole('button', { name: 'Create key' }).click()
  const dialog = page.getByRole('dialog')
  const key = ((await dialog.getByTestId('key-secret').textContent()) ?? '').trim()
  expect(key).toMatch(/^sy-[A-Za-z0-9_-]{20,}$/)
  await dialog.getByRole('button', { name: 'I have copied it' }).click()

  await page.getByRole('link', { name: 'Portal' }).click()
  await expect(pageHeading(page, 'Portal')).toBeVisible()
  // Her one workspace: research and default are not hers to pick.
  await expect(page.getByLabel('Workspace', { exact: true }).locator('option')).toHaveText(['Payments'])
  await expect(page.getByTestId('portal-keys')).toContainText('dana-laptop')
  await page.getByRole('button', { name: 'openai/mock-gpt', exact: true }).click()
  const snippets = page.getByTestId('portal-snippets')
  await snippets.getByRole('tab', { name: 'curl' }).click()
  const snippet = (await page.getByTestId('portal-snippet-curl').textContent()) ?? ''
  expect(snippet).toContain('<your key>')
  expect(snippet).not.toContain(key)
  await page.screenshot({ path: 'test-results/team-readme-portal.png', fullPage: true })

  // Pasted into a shell with the key in place of the placeholder, as the README says.
  const { stdout } = await promisify(execFile)('sh', ['-c', `${snippet.replace('<your key>', key)} --silent`])
  const answer = JSON.parse(stdout) as { choices: { message: { content: string } }[] }
  expect(answer.choices[0].message.content).toContain('Echo')

  // The call is hers and her workspace's in the log she may read.
  await page.goto(`${running.gateway.baseUrl}/#/logs`)
  await expect(page.getByTestId('log-row').first()).toBeVisible()
  const logs = await page.evaluate(async () => {
    const res = await fetch('/admin/v1/logs?limit=5', { headers: { 'x-switchyard-csrf': '1' } })
    return (await res.json()) as { items: { keyName: string | null; workspace: string | null }[] }
  })
  expect(logs.items[0]).toMatchObject({ keyName: 'dana-laptop', workspace: 'payments' })
  await signOut(page)
  expect(errors).toEqual([])
})
