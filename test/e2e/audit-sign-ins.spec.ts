import { expect, test } from '@playwright/test'
import { Secret, TOTP } from 'otpauth'
import {
  adminCall,
  pageHeading,
  setUpOwnerOverHttp,
  signInAs,
  startGatewayWithMock,
  watchConsole,
} from '../helpers/e2e-gateway'

// Team mode's sign-in hardening in the web UI (issue 21, part F): an owner resets a member's two-factor from
// Settings → Team → Members (the member's session ends, their password alone signs in), and the Audit page's
// "Sign-ins" area lists the sign-ins and failed attempts without the member changes.

const OWNER = { name: 'Odette Owner', email: 'odette@example.com', password: 'owner passphrase 2' }
const DEV = { name: 'Dev Lost-Phone', email: 'devlp@example.com', password: 'developer passphrase 2' }

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })

const running = startGatewayWithMock(() => 'auth: { mode: team }\n')

test("an owner resets a member's two-factor, and the Audit page filters sign-ins", async ({ page, browser }) => {
  const { gateway } = running
  const errors = watchConsole(page, /401|Unauthorized/)
  const owner = await setUpOwnerOverHttp(gateway, OWNER)
  await adminCall(gateway, owner, '/admin/v1/team/members', {
    body: { name: DEV.name, email: DEV.email, role: 'developer', workspaces: ['default'], password: DEV.password },
  })

  // The developer enrols an authenticator over HTTP, as the Two-factor dialog does, and keeps a session open.
  const login = (body: object) =>
    fetch(`${gateway.baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  const devLogin = await login({ email: DEV.email, password: DEV.password })
  expect(devLogin.status).toBe(204)
  const dev = { cookie: devLogin.headers.get('set-cookie')?.split(';')[0] ?? '', 'x-switchyard-csrf': '1' }
  const { secret } = await adminCall<{ secret: string }>(gateway, dev, '/admin/v1/me/totp', { method: 'POST' })
  const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate()
  await adminCall(gateway, dev, '/admin/v1/me/totp', { method: 'PUT', body: { code } })
  expect((await login({ email: DEV.email, password: DEV.password })).status).toBe(401)
  expect((await login({ email: DEV.email, password: 'a wrong password' })).status).toBe(401)

  await signInAs(page, gateway, OWNER)
  await expect(pageHeading(page, 'Overview')).toBeVisible()
  await page.goto(`${gateway.baseUrl}/#/settings`)
  const row = page.getByTestId('member-row').filter({ hasText: DEV.email })
  await expect(row).toContainText('✔ on')
  // No reset offered for oneself: turning one's own off asks for a code.
  await expect(page.getByRole('button', { name: `Reset two-factor of ${OWNER.name}` })).toHaveCount(0)
  await row.getByRole('button', { name: `Reset two-factor of ${DEV.name}` }).click()
  await expect(row).toContainText(`Turn off two-factor for ${DEV.name}?`)
  await row.getByRole('button', { name: 'Yes, reset two-factor' }).click()
  await expect(row.getByRole('status')).toContainText(`Two-factor is off for ${DEV.name}`)
  await expect(row).toContainText('○ off')
  await page.screenshot({ path: 'test-results/members-totp-reset.png' })
  await row.getByRole('button', { name: 'Done' }).click()
  await expect(row.getByRole('button', { name: `Reset two-factor of ${DEV.name}` })).toHaveCount(0)

  // Their open session ended; the password alone signs them in now.
  expect((await fetch(`${gateway.baseUrl}/admin/v1/me`, { headers: dev })).status).toBe(401)
  const devPage = await browser.newPage()
  await signInAs(devPage, gateway, DEV)
  await expect(pageHeading(devPage, 'Overview')).toBeVisible()
  await devPage.close()

  // Audit page: the Sign-ins area holds the auth.* entries only.
  await page.goto(`${gateway.baseUrl}/#/keys?tab=audit`)
  const table = page.getByRole('table', { name: 'Audit trail' })
  await expect(table.getByTestId('audit-row').first()).toBeVisible()
  await expect(table.locator('[data-action="member.totp-reset"]')).toHaveCount(1)
  await page.getByLabel('Action').selectOption({ label: 'Sign-ins' })
  expect(page.url()).toContain('action=auth')
  await expect(table.locator('[data-action="member.totp-reset"]')).toHaveCount(0)
  await expect(table.locator('[data-action="auth.sign-in-failed"]')).toHaveCount(1)
  const failed = table.locator('[data-action="auth.sign-in-failed"]')
  await expect(failed).toContainText(DEV.email)
  await expect(table.locator('[data-action="auth.sign-in"]').filter({ hasText: DEV.name })).toHaveCount(2)
  await expect(table.locator('[data-action="auth.sign-in"]').filter({ hasText: OWNER.name })).toHaveCount(2)
  const actions = await table.getByTestId('audit-row').evaluateAll((rows) => rows.map((r) => r.dataset.action))
  expect(actions.every((a) => a?.startsWith('auth.'))).toBe(true)
  await page.screenshot({ path: 'test-results/audit-sign-ins.png', fullPage: true })
  await page.getByLabel('Action').selectOption('auth.sign-in-failed')
  await expect(table.getByTestId('audit-row')).toHaveCount(1)
  expect(errors).toEqual([])
})
