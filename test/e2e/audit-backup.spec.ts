import { join } from 'node:path'
import { expect, type Page, test } from '@playwright/test'
import { type ServeProcess, startServe } from '../helpers/serve-process'
import { signIn } from '../helpers/ui-checks'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams'

// Audit trail and backups against the real gateway: a change made in the UI shows in Keys & Policies →
// Audit with its diff, and a backup taken in Settings brings back a route deleted after it.
const SHOTS = join(import.meta.dirname, 'screenshots')

let mock: RunningMock
let gateway: ServeProcess

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })

test.beforeAll(async () => {
  mock = await startMockUpstream()
  gateway = await startServe(`
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
routes:
  fast:
    targets: [{ model: mock/mock-gpt }]
discovery: { enabled: false }
`)
})
test.afterAll(async () => {
  await gateway?.stop()
  await mock?.stop()
})

/** A chat call from outside the page (its expected 404 is not a console error of the UI). */
async function chat(model: string, key: string): Promise<number> {
  const res = await fetch(`${gateway.baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  })
  return res.status
}

async function createKey(page: Page, name: string): Promise<string> {
  await page.getByRole('button', { name: 'Create the first key' }).click()
  await page.getByLabel('Name', { exact: true }).fill(name)
  await page.getByLabel('Requests per minute', { exact: true }).fill('60')
  await page.getByRole('button', { name: 'Create key' }).click()
  const dialog = page.getByRole('dialog')
  const secret = (await dialog.getByTestId('key-secret').textContent()) ?? ''
  expect(secret).toMatch(/^sy-/)
  await dialog.getByRole('button', { name: 'I have copied it' }).click()
  await expect(page.getByRole('dialog')).toHaveCount(0)
  return secret
}

test('a UI change shows in the audit trail; a backup taken in Settings restores a deleted route', async ({ page }) => {
  const errors: string[] = []
  // The browser's own favicon probe is not a request the UI makes.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) errors.push(m.text())
  })
  page.on('pageerror', (e) => errors.push(e.message))

  await signIn(page, gateway)
  await page.goto(`${gateway.baseUrl}/#/keys`)
  await expect(page.getByRole('heading', { level: 1, name: 'Keys & Policies' })).toBeVisible()
  const secret = await createKey(page, 'ci')

  // The change, in the audit trail: who, what, and a diff that never holds the secret.
  await page.getByRole('tab', { name: 'Audit' }).click()
  await expect(page.getByRole('tab', { name: 'Audit' })).toHaveAttribute('aria-selected', 'true')
  expect(page.url()).toContain('tab=audit')
  const table = page.getByRole('table', { name: 'Audit trail' })
  await expect(table).toHaveAttribute('aria-busy', 'false')
  const row = table.getByRole('row', { name: 'key.create ci' })
  // Made through the web UI's session (the actor), from this machine.
  await expect(row).toContainText('session')
  await expect(row).toContainText('127.0.0.1')
  await row.getByRole('button', { name: /2 changes/ }).click()
  const diff = page.getByRole('table', { name: 'Changes of key.create' })
  await expect(diff.getByRole('row', { name: /^keys\.ci / })).toContainText('"rpm": 60')
  await expect(diff.getByRole('row', { name: /^secrets\.keys\.ci\.key / })).toContainText(
    `${secret.slice(0, 3)}…${secret.slice(-4)}`,
  )
  await expect(page.getByText(secret)).toHaveCount(0)

  // Filters narrow the list, and say so when nothing matches.
  await page.getByLabel('Action').selectOption('route')
  await expect(page.getByText('No change matches these filters.')).toBeVisible()
  expect(page.url()).toContain('action=route')
  await page.getByRole('button', { name: 'Clear filters' }).first().click()
  await expect(table.getByTestId('audit-row')).toHaveCount(1)
  await row.getByRole('button', { name: /2 changes/ }).click()
  await page.screenshot({ path: join(SHOTS, 'audit.png'), fullPage: true })

  // Settings → Backups: the daily one from the start, then one taken now.
  await page.goto(`${gateway.baseUrl}/#/settings`)
  const backups = page.getByRole('region', { name: 'Backups' })
  await expect(backups.getByTestId('backup-row')).toHaveCount(1)
  await expect(backups.getByTestId('backup-row').first()).toContainText('Daily')
  await backups.getByRole('button', { name: 'Back up now' }).click()
  await expect(backups.getByTestId('backup-row')).toHaveCount(2)
  const manual = backups.locator('[data-testid="backup-row"][data-reason="manual"]')
  await expect(manual).toContainText('Manual')

  // A mistake after the backup: the route goes, and calls to it fail.
  expect(await chat('fast', secret)).toBe(200)
  const deleted = await fetch(`${gateway.baseUrl}/admin/v1/routes/fast`, {
    method: 'DELETE',
    headers: gateway.adminHeaders,
  })
  expect(deleted.status).toBe(204)
  expect(await chat('fast', secret)).toBe(404)

  await manual.getByRole('button', { name: 'Restore' }).click()
  const dialog = page.getByRole('dialog', { name: /Restore the backup of/ })
  await expect(dialog.getByTestId('restore-preview')).toContainText('Config · Added (1)')
  await expect(dialog.getByTestId('restore-preview')).toContainText('routes: fast')
  await page.screenshot({ path: join(SHOTS, 'backup-restore-dialog.png') })
  await dialog.getByRole('button', { name: 'Yes, restore' }).click()
  await expect(page.getByRole('dialog')).toHaveCount(0)
  await expect(backups.getByRole('status')).toContainText('Restored (1 config change)')
  await expect(backups.locator('[data-testid="backup-row"][data-reason="pre-restore"]')).toHaveCount(1)
  expect(await chat('fast', secret)).toBe(200)
  await page.screenshot({ path: join(SHOTS, 'settings-backups.png'), fullPage: true })

  // The restore and the deletion it undid are in the trail too.
  await page.goto(`${gateway.baseUrl}/#/keys?tab=audit`)
  const actions = page.getByRole('table', { name: 'Audit trail' }).getByTestId('audit-row')
  await expect(actions.first()).toHaveAttribute('data-action', 'backup.restore')
  await expect(actions.nth(1)).toHaveAttribute('data-action', 'route.delete')
  await expect(actions.nth(2)).toHaveAttribute('data-action', 'backup.create')
  await actions
    .first()
    .getByRole('button', { name: /changes?$/ })
    .click()
  await expect(page.getByRole('table', { name: 'Changes of backup.restore' })).toContainText('routes.fast')
  await page.screenshot({ path: join(SHOTS, 'audit-restore.png'), fullPage: true })
  expect(errors).toEqual([])
})
