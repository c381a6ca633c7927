import { expect, test } from '@playwright/test'
import { type ServeProcess, startServe } from '../helpers/serve-process'
import { failOnConsoleErrors, shot, signIn } from '../helpers/ui-checks'
import { type RunningMock, startMockUpstream } from '../helpers/upstreams'

// Settings → Backups as a user reads it after importing a config: the backup the import took is
// listed at once, and every backup says on which day it was taken.

let mock: RunningMock
let gateway: ServeProcess

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })
failOnConsoleErrors()

test.beforeAll(async () => {
  mock = await startMockUpstream()
  gateway = await startServe(`
providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
discovery: { enabled: false }
`)
})
test.afterAll(async () => {
  await gateway?.stop()
  await mock?.stop()
})

test('an import adds its backup to the list without a reload; backup times carry their date', async ({ page }) => {
  await signIn(page, gateway)
  await page.goto(`${gateway.baseUrl}/#/settings`)
  const backups = page.getByRole('region', { name: 'Backups' })
  await expect(backups.getByTestId('backup-row')).toHaveCount(1)

  await page.getByLabel('Or paste it').fill(`providers:
  mock: { type: openai-compatible, baseUrl: "${mock.url}/v1" }
routes:
  fast: { targets: [ { model: mock/mock-gpt } ] }
`)
  await page.getByRole('button', { name: 'Validate and preview' }).click()
  await page.getByRole('button', { name: 'Apply' }).click()
  await expect(page.getByText(/Config applied/)).toBeVisible()
  await expect(backups.locator('[data-testid="backup-row"][data-reason="pre-import"]')).toHaveCount(1)

  // Taken today, still shown with its date: a list of backups is read across days.
  const year = String(new Date().getUTCFullYear())
  for (const cell of await backups.getByTestId('backup-time').all()) await expect(cell).toContainText(year)
  await shot(page, 'settings-backups-after-import')
})
