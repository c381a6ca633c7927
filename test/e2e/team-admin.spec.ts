import { join } from 'node:path'
import { type Browser, expect, type Page, test } from '@playwright/test'
import OpenAI from 'openai'
import {
  accountButton,
  adminCall,
  type Person,
  pageHeading,
  setUpOwnerOverHttp,
  signInAs,
  signOut,
  startGatewayWithMock,
  watchConsole,
} from '../helpers/e2e-gateway'

// Running a team from the web UI on the real gateway (issue 21): a developer asks for a route on the Portal and an
// owner approves it in another browser, after which the developer's key calls it with the openai SDK; Settings →
// Team's service accounts, role changes, password resets and removals, each checked where it takes effect; the
// workspaces panel; and the workspace switcher, whose choice the UI's own model calls are logged in.

const SHOTS = join(import.meta.dirname, 'screenshots')
const ALPHA_KEY = 'sk-sy-e2e-team-admin-alpha-0123456789'

const OWNER: Person = { name: 'Olive Owner', email: 'olive@example.com', password: 'owner passphrase 1' }
const DEV: Person = { name: 'Dana Dev', email: 'dana@example.com', password: 'developer passphrase 1' }
const RITA: Person = { name: 'Rita Rotate', email: 'rita@example.com', password: 'rita first passphrase' }

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })
test.describe.configure({ mode: 'serial' })

// alpha-ci may call `everyone` only; `alpha-route` is alpha's own, and the developer will ask for it.
const running = startGatewayWithMock(
  (mockUrl) => `
auth: { mode: team }
workspaces:
  alpha: { name: Alpha team }
providers:
  mock: { type: openai-compatible, baseUrl: "${mockUrl}/v1" }
routes:
  everyone: { targets: [{ model: mock/mock-gpt }] }
  alpha-route: { targets: [{ model: mock/mock-gpt }], workspaces: [alpha] }
keys:
  - { name: alpha-ci, key: "\${env:SY_E2E_ALPHA_KEY}", workspace: alpha, models: [everyone] }
`,
  { SY_E2E_ALPHA_KEY: ALPHA_KEY },
)

let owner: Record<string, string> = {}

test.beforeAll(async () => {
  const { gateway } = running
  owner = await setUpOwnerOverHttp(gateway, OWNER)
  for (const [who, role, workspaces] of [
    [DEV, 'developer', ['alpha']],
    [RITA, 'developer', ['default']],
  ] as const) {
    await adminCall(gateway, owner, '/admin/v1/team/members', { body: { ...who, role, workspaces: [...workspaces] } })
  }
})

/** A browser of its own for one person, signed in: what they do there cannot leak into another's. */
async function signedIn(browser: Browser, who: Person): Promise<{ page: Page; close(): Promise<void> }> {
  const context = await browser.newContext()
  const page = await context.newPage()
  await signInAs(page, running.gateway, who)
  await expect(pageHeading(page, 'Overview')).toBeVisible()
  return { page, close: () => context.close() }
}

const settings = async (page: Page) => {
  await page.goto(`${running.gateway.baseUrl}/#/settings`)
  await expect(page.getByRole('heading', { name: 'Members' })).toBeVisible()
}

const alphaClient = () => new OpenAI({ baseURL: `${running.gateway.baseUrl}/v1`, apiKey: ALPHA_KEY, maxRetries: 0 })

test('a developer requests a route on the Portal, an owner approves it, and the key then calls it', async ({
  browser,
}) => {
  // Before: the key may not call the route.
  await expect(
    alphaClient().chat.completions.create({ model: 'alpha-route', messages: [{ role: 'user', content: 'hi' }] }),
  ).rejects.toMatchObject({ status: 403 })

  const dev = await signedIn(browser, DEV)
  const devErrors = watchConsole(dev.page)
  await dev.page.getByRole('link', { name: 'Portal' }).click()
  await expect(dev.page.getByLabel('Workspace', { exact: true }).first()).toBeVisible()
  await dev.page.getByRole('button', { name: 'alpha-route' }).click()
  const snippets = dev.page.getByTestId('portal-snippets')
  await expect(snippets.getByLabel('Key', { exact: true })).toHaveValue('alpha-ci')
  await snippets.getByLabel('Reason', { exact: true }).fill('nightly evals need it')
  await snippets.getByRole('button', { name: 'Request access' }).click()
  await expect(snippets.getByRole('status')).toHaveText('Requested: an admin decides.')
  const mine = dev.page.getByTestId('portal-request-alpha-route')
  await expect(mine).toContainText('pending')
  await expect(mine.getByRole('button', { name: 'Approve' })).toHaveCount(0)
  await dev.page.screenshot({ path: join(SHOTS, 'team-access-request.png'), fullPage: true })

  const admin = await signedIn(browser, OWNER)
  const adminErrors = watchConsole(admin.page)
  await admin.page.getByRole('link', { name: 'Portal' }).click()
  const request = admin.page.getByTestId('portal-request-alpha-route')
  await expect(request).toContainText('Dana Dev')
  await expect(request).toContainText('nightly evals need it')
  await request.getByRole('button', { name: 'Approve' }).click()
  await expect(request).toContainText('approved by Olive Owner')
  await admin.page.screenshot({ path: join(SHOTS, 'team-access-approved.png'), fullPage: true })

  const answer = await alphaClient().chat.completions.create({
    model: 'alpha-route',
    messages: [{ role: 'user', content: 'approved at last' }],
  })
  expect(answer.choices[0].message.content).toContain('Echo: approved at last')
  // The developer's own list says so too once it is read again.
  await dev.page.reload()
  await expect(dev.page.getByTestId('portal-request-alpha-route')).toContainText('approved by Olive Owner')
  expect([...devErrors, ...adminErrors]).toEqual([])
  await dev.close()
  await admin.close()
})

test('Settings → Team: a service account’s token is shown once and works on the admin API', async ({ page }) => {
  const errors = watchConsole(page)
  await signInAs(page, running.gateway, OWNER)
  await settings(page)
  await page.getByRole('button', { name: '+ Create service account' }).click()
  const form = page.getByRole('form', { name: 'Create service account' })
  await form.getByLabel('Name').fill('ci-nightly')
  await form.getByLabel('Role').selectOption('viewer')
  await form.getByRole('button', { name: 'Create' }).click()
  const token = (await page.getByTestId('service-token').textContent())!.trim()
  expect(token.length).toBeGreaterThan(20)
  await page.screenshot({ path: join(SHOTS, 'team-service-token.png') })

  const asService = (path: string) =>
    fetch(`${running.gateway.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } })
  expect((await asService('/admin/v1/logs?limit=1')).status).toBe(200)
  // A viewer's token reads but does not manage members.
  expect((await asService('/admin/v1/team/members')).status).toBe(403)

  await page.getByRole('button', { name: 'Done' }).click()
  await expect(page.getByTestId('service-token')).toHaveCount(0)
  await expect(page.getByRole('row', { name: 'ci-nightly' })).toContainText('viewer')
  await page.reload()
  await expect(page.getByRole('row', { name: 'ci-nightly' })).toBeVisible()
  await expect(page.getByText(token)).toHaveCount(0)
  expect(errors).toEqual([])
})

test('Settings → Team: change a role, reset a password, remove a member who is signed in', async ({
  page,
  browser,
}) => {
  const errors = watchConsole(page)
  await signInAs(page, running.gateway, OWNER)
  await settings(page)
  const row = page.getByTestId('member-row').filter({ hasText: RITA.email })

  await row.getByRole('button', { name: `Edit ${RITA.name}` }).click()
  await row.getByLabel(`Role of ${RITA.name}`).selectOption('viewer')
  await row.getByRole('button', { name: 'Save' }).click()
  await expect(row.locator('.role-chip')).toHaveText('viewer')

  const login = (password: string) =>
    fetch(`${running.gateway.baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: RITA.email, password }),
    })
  const newPassword = 'rita second passphrase'
  await row.getByRole('button', { name: `Reset password of ${RITA.name}` }).click()
  await row.getByLabel('Temporary password').fill(newPassword)
  await row.getByRole('button', { name: 'Set password' }).click()
  await expect(row.getByRole('status')).toContainText('New password set')
  await page.screenshot({ path: join(SHOTS, 'team-password-reset.png') })
  await row.getByRole('button', { name: 'Done' }).click()
  expect((await login(RITA.password)).status).toBe(401)
  expect((await login(newPassword)).status).toBe(204)

  // Rita works in her own browser, as a viewer now; removed, her open page loses access with its next call.
  const rita = await signedIn(browser, { ...RITA, password: newPassword })
  await expect(accountButton(rita.page)).toHaveAccessibleName(`Account: ${RITA.name}, viewer`)
  await rita.page.waitForLoadState('networkidle')
  await row.getByRole('button', { name: `Remove ${RITA.name}` }).click()
  await row.getByRole('button', { name: 'Yes, remove' }).click()
  await expect(page.getByTestId('member-row').filter({ hasText: RITA.email })).toHaveCount(0)
  await rita.page.evaluate(() => {
    window.location.hash = '#/logs'
  })
  await expect(pageHeading(rita.page, 'Sign in')).toBeVisible()
  await expect(rita.page.getByRole('alert')).toHaveText('Your session ended. Sign in again.')
  await rita.close()
  expect((await login(newPassword)).status).toBe(401)
  expect(errors).toEqual([])
})

test('Settings → Team → Workspaces: create, rename, and delete once no key uses it', async ({ page }) => {
  // The refused delete is the gateway's 409, which the browser reports as a failed call.
  const errors = watchConsole(page, /409.*\/admin\/v1\/workspaces\/beta/)
  await signInAs(page, running.gateway, OWNER)
  await settings(page)
  await page.getByRole('button', { name: '+ Create workspace' }).click()
  const form = page.getByRole('form', { name: 'Create workspace' })
  await form.getByLabel('Id').fill('beta')
  await form.getByLabel('Name').fill('Beta team')
  await form.getByRole('button', { name: 'Create workspace' }).click()
  const row = page.locator('[data-testid="workspace-row"][data-workspace="beta"]')
  await expect(row).toContainText('Beta team')

  await row.getByRole('button', { name: 'Rename Beta team' }).click()
  await row.getByLabel('New name of beta').fill('Beta squad')
  await row.getByRole('button', { name: 'Save' }).click()
  await expect(row.getByRole('rowheader')).toHaveText('Beta squad')

  await adminCall(running.gateway, owner, '/admin/v1/keys', { body: { name: 'beta-ci', workspace: 'beta' } })
  await page.reload()
  await expect(row).toContainText('1')
  await row.getByRole('button', { name: 'Delete Beta squad' }).click()
  await row.getByRole('button', { name: 'Yes, delete' }).click()
  await expect(row.getByRole('alert')).toContainText("workspace 'beta' is still used by keys beta-ci")
  await page.screenshot({ path: join(SHOTS, 'team-workspace-in-use.png') })

  await adminCall(running.gateway, owner, '/admin/v1/keys/beta-ci', { method: 'DELETE' })
  await row.getByRole('button', { name: 'Yes, delete' }).click()
  await expect(row).toHaveCount(0)
  expect(errors).toEqual([])
})

test('the workspace switcher: the Playground’s calls are logged in the chosen workspace, until sign-out', async ({
  page,
}) => {
  const errors = watchConsole(page)
  await signInAs(page, running.gateway, OWNER)
  await expect(pageHeading(page, 'Overview')).toBeVisible()
  const switcher = page.getByRole('combobox', { name: 'Workspace' })
  await expect(switcher).toHaveValue('default')
  // Working in default, the Playground does not offer alpha's own route; in alpha it does.
  await page.goto(`${running.gateway.baseUrl}/#/playground`)
  const models = page.getByLabel('Model or route')
  await expect(models.locator('option[value="everyone"]')).toHaveCount(1)
  await expect(models.locator('option[value="alpha-route"]')).toHaveCount(0)
  await switcher.selectOption('alpha')
  await expect(models.locator('option[value="alpha-route"]')).toHaveCount(1)
  await models.selectOption('alpha-route')
  await page.getByLabel('Message', { exact: true }).fill('hello from alpha')
  await page.getByRole('button', { name: 'Send' }).click()
  await expect(page.getByTestId('pg-reply').last()).toHaveAttribute('data-state', 'done')
  await page.screenshot({ path: join(SHOTS, 'team-workspace-switcher.png') })

  // The log writer flushes in batches: the row shows up within a moment.
  const lastRow = async () =>
    (
      await adminCall<{ items: { workspace: string | null; person: string | null; requestedModel: string }[] }>(
        running.gateway,
        owner,
        '/admin/v1/logs?limit=1',
      )
    ).items[0]
  await expect.poll(lastRow).toMatchObject({ workspace: 'alpha', person: OWNER.name, requestedModel: 'alpha-route' })

  // Remembered across a reload; forgotten at sign-out, so the next person here starts in their own.
  await page.reload()
  await expect(switcher).toHaveValue('alpha')
  // The Playground's own calls finish first: answered after the sign-out, they would be refused.
  await page.waitForLoadState('networkidle')
  await signOut(page)
  expect(await page.evaluate(() => window.localStorage.getItem('switchyard.workspace'))).toBeNull()
  await signInAs(page, running.gateway, OWNER)
  await expect(switcher).toHaveValue('default')
  await page.waitForLoadState('networkidle')
  await signOut(page)

  // A member of one workspace has nothing to switch between.
  await signInAs(page, running.gateway, DEV)
  await expect(pageHeading(page, 'Overview')).toBeVisible()
  await expect(switcher).toHaveCount(0)
  // Given a second one, she has: her first by id until she chooses.
  const { items } = await adminCall<{ items: { id: string; email: string }[] }>(
    running.gateway,
    owner,
    '/admin/v1/team/members',
  )
  const dana = items.find((m) => m.email === DEV.email)!
  await adminCall(running.gateway, owner, `/admin/v1/team/members/${dana.id}`, {
    method: 'PATCH',
    body: { workspaces: ['default', 'alpha'] },
  })
  await page.reload()
  await expect(switcher).toHaveValue('alpha')
  await expect(switcher.locator('option')).toHaveText(['Default', 'Alpha team'])
  expect(errors).toEqual([])
})
