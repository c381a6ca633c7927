import { expect, type Page, test } from '@playwright/test'
import { Secret, TOTP } from 'otpauth'
import {
  accountButton,
  pageHeading,
  signInAs as signInWith,
  signOut,
  startGatewayWithMock,
  watchConsole,
} from '../helpers/e2e-gateway'

// Team mode in the web UI (issue 21): the setup link printed by `serve` creates the first owner, who adds a
// developer and a viewer in Settings → Team; each then signs in as themselves and sees what their role allows.
// Two-factor enrolment is driven with codes computed the way an authenticator app does.

const CLIENT_KEY = 'sk-sy-e2e-team-0123456789abcdef'

const OWNER = { name: 'Olive Owner', email: 'olive@example.com', password: 'owner passphrase 1' }
const DEV = { name: 'Dana Dev', email: 'dana@example.com', password: 'temporary-dev-pass-1' }
const VIEWER = { name: 'Vic Viewer', email: 'vic@example.com', password: 'temporary-viewer-pass-1' }

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })
test.describe.configure({ mode: 'serial' })

// The key has no workspace: its calls belong to `default`, the workspace the members are given.
const running = startGatewayWithMock(
  (mockUrl) => `
auth: { mode: team }
providers:
  mock: { type: openai-compatible, baseUrl: "${mockUrl}/v1" }
keys:
  - { name: app, key: "\${env:SY_E2E_TEAM_KEY}" }
`,
  { SY_E2E_TEAM_KEY: CLIENT_KEY },
)

const signInAs = (page: Page, who: { email: string; password: string }) => signInWith(page, running.gateway, who)

async function addMember(page: Page, who: typeof DEV, role: string) {
  await page.getByRole('button', { name: '+ Add member' }).click()
  const form = page.getByRole('form', { name: 'Add member' })
  await form.getByLabel('Name').fill(who.name)
  await form.getByLabel('Email').fill(who.email)
  await form.getByLabel('Role').selectOption(role)
  await form.getByLabel('Temporary password').fill(who.password)
  await form.getByRole('button', { name: 'Add member' }).click()
  await expect(page.getByTestId('member-row').filter({ hasText: who.email })).toContainText(role)
}

test('the setup link creates the first owner, who adds a developer and a viewer', async ({ page }) => {
  const errors = watchConsole(page)
  const setup = running.gateway.takeLoginUrl()
  expect(setup).toMatch(/\/setup\?token=/)
  // Without an owner, the sign-in page points at the setup link.
  await page.goto(running.gateway.baseUrl)
  await expect(page.getByText('This gateway has no owner yet')).toBeVisible()

  await page.goto(setup!)
  await expect(pageHeading(page, 'Set up your team')).toBeVisible()
  await page.getByLabel('Name').fill(OWNER.name)
  await page.getByLabel('Email').fill(OWNER.email)
  await page.getByLabel('Password', { exact: true }).fill(OWNER.password)
  await expect(page.locator('[data-strength]')).toHaveAttribute('data-strength', 'strong')
  await page.getByLabel('Password again').fill('not the same')
  await page.getByRole('button', { name: 'Create owner and sign in' }).click()
  await expect(page.getByRole('alert')).toHaveText('The two passwords differ.')
  await page.getByLabel('Password again').fill(OWNER.password)
  await page.screenshot({ path: 'test-results/team-setup.png' })
  await page.getByRole('button', { name: 'Create owner and sign in' }).click()
  await expect(pageHeading(page, 'Overview')).toBeVisible()
  // The spent token is gone from the address bar.
  expect(new URL(page.url()).pathname).toBe('/')
  expect(page.url()).not.toContain('token=')

  await page.goto(`${running.gateway.baseUrl}/#/settings`)
  await expect(page.getByRole('heading', { name: 'Members' })).toBeVisible()
  await expect(page.getByTestId('member-row').filter({ hasText: OWNER.email })).toContainText('owner')
  await addMember(page, DEV, 'developer')
  await addMember(page, VIEWER, 'viewer')
  await expect(page.getByRole('heading', { name: 'Workspaces' })).toBeVisible()
  await expect(page.getByTestId('workspace-row').filter({ hasText: 'default' })).toBeVisible()
  await page.screenshot({ path: 'test-results/team-settings.png', fullPage: true })
  await signOut(page)
  expect(errors).toEqual([])
})

test('a wrong password is refused with a message', async ({ page }) => {
  const errors = watchConsole(page, /401.*\/auth\/login/)
  await signInAs(page, { email: DEV.email, password: 'not-the-password' })
  await expect(page.getByRole('alert')).toHaveText('Wrong email or password.')
  // An unknown address gets the very same answer.
  await page.getByLabel('Email').fill('nobody@example.com')
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await expect(page.getByRole('alert')).toHaveText('Wrong email or password.')
  await page.screenshot({ path: 'test-results/team-sign-in-wrong.png' })
  expect(errors).toEqual([])
})

test('the developer signs in and does not see Members', async ({ page }) => {
  const errors = watchConsole(page)
  await signInAs(page, DEV)
  await expect(pageHeading(page, 'Overview')).toBeVisible()
  await expect(accountButton(page)).toHaveAccessibleName('Account: Dana Dev, developer')
  await page.goto(`${running.gateway.baseUrl}/#/settings`)
  await expect(pageHeading(page, 'Settings')).toBeVisible()
  await expect(page.getByText('Owners and admins manage members')).toBeVisible()
  await expect(page.getByRole('heading', { name: 'Members' })).toHaveCount(0)
  await expect(page.getByRole('heading', { name: 'Export config' })).toHaveCount(0)
  await page.screenshot({ path: 'test-results/team-developer-settings.png' })
  expect(errors).toEqual([])
})

test('the viewer sees a call in Logs but not its bodies', async ({ page }) => {
  const called = await fetch(`${running.gateway.baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` },
    body: JSON.stringify({ model: 'mock/mock-gpt', messages: [{ role: 'user', content: 'secret plans' }] }),
  })
  expect(called.status).toBe(200)

  const errors = watchConsole(page)
  await signInAs(page, VIEWER)
  await expect(pageHeading(page, 'Overview')).toBeVisible()
  // Pages the viewer's role cannot use are not offered.
  await expect(page.getByRole('link', { name: 'Playground' })).toHaveCount(0)
  await expect(page.getByRole('link', { name: 'Compare' })).toHaveCount(0)
  await page.goto(`${running.gateway.baseUrl}/#/logs`)
  const row = page.getByTestId('log-row').first()
  await expect(row).toBeVisible()
  await row.click()
  const drawer = page.getByTestId('log-drawer')
  await drawer.getByRole('tab', { name: 'Request' }).click()
  await expect(drawer.getByTestId('bodies-hidden')).toHaveText(/hidden for your role \(viewer\)/)
  await expect(drawer).not.toContainText('secret plans')
  await drawer.getByRole('tab', { name: 'Response' }).click()
  await expect(drawer.getByTestId('bodies-hidden')).toBeVisible()
  await expect(drawer).not.toContainText('Echo')
  await page.screenshot({ path: 'test-results/team-viewer-drawer.png' })
  expect(errors).toEqual([])
})

test('two-factor enrolment with a QR code, then sign-in asks for the code', async ({ page }) => {
  const errors = watchConsole(page, /401.*\/auth\/login/)
  await signInAs(page, DEV)
  await expect(pageHeading(page, 'Overview')).toBeVisible()
  await accountButton(page).click()
  await page.getByRole('button', { name: 'Two-factor authentication' }).click()
  const dialog = page.getByRole('dialog', { name: 'Two-factor authentication' })
  await expect(dialog.getByTestId('totp-state')).toHaveText('○ Off')
  await dialog.getByRole('button', { name: 'Turn on' }).click()
  await expect(dialog.getByRole('img', { name: /QR code/ })).toBeVisible()
  const secret = (await dialog.getByTestId('totp-secret').textContent())!.trim()
  const totp = new TOTP({ secret: Secret.fromBase32(secret), period: 30 })
  await page.screenshot({ path: 'test-results/team-totp-enrol.png' })
  await dialog.getByLabel('Code from your authenticator app').fill(totp.generate())
  await dialog.getByRole('button', { name: 'Confirm' }).click()
  await expect(dialog.getByRole('status')).toHaveText(/Two-factor authentication is on/)
  await expect(dialog.getByTestId('totp-state')).toHaveText('✔ On')
  await dialog.getByRole('button', { name: 'Close' }).click()
  await signOut(page)

  await signInAs(page, DEV)
  await expect(page.getByLabel('Authentication code')).toBeVisible()
  await page.getByLabel('Authentication code').fill('000000')
  await page.getByRole('button', { name: 'Verify' }).click()
  await expect(page.getByRole('alert')).toHaveText(/code is not right/)
  await page.screenshot({ path: 'test-results/team-totp-sign-in.png' })
  // The code used to confirm cannot be replayed: the authenticator's next one (accepted for clock drift) is used.
  await page.getByLabel('Authentication code').fill(totp.generate({ timestamp: Date.now() + 30_000 }))
  await page.getByRole('button', { name: 'Verify' }).click()
  await expect(pageHeading(page, 'Overview')).toBeVisible()
  expect(errors).toEqual([])
})
