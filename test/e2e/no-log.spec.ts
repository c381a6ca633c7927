import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { type ServeProcess, startServe } from '../helpers/serve-process'
import { failOnConsoleErrors, signIn } from '../helpers/ui-checks'

// Issue 23: `serve --no-log` answers calls but records none. The Logs page showed the admin API's 503 as a
// red "Could not load logs" error; it now says calmly that logging is off, why, and how to turn it on.
const SHOTS = join(import.meta.dirname, 'screenshots')

let gateway: ServeProcess

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' })

test.beforeAll(async () => {
  gateway = await startServe(undefined, ['--no-log'])
})
test.afterAll(async () => {
  await gateway?.stop()
})

// The browser reports each refused report call (the Overview's stats) as a failed resource load.
failOnConsoleErrors(/the server responded with a status of 503/)

test('the Logs page says request logging is off, why and how to turn it on, with no error', async ({ page }) => {
  await signIn(page, gateway)
  await page.goto(`${gateway.baseUrl}/#/logs`)
  const notice = page.getByRole('status').filter({ hasText: 'Request logging is off' })
  await expect(notice).toBeVisible()
  await expect(notice).toContainText('--no-log')
  await expect(notice).toContainText('restart')
  await expect(page.getByRole('alert')).toHaveCount(0)
  await expect(page.getByText('Could not load logs')).toHaveCount(0)
  // Nothing to filter, export or page through.
  await expect(page.getByTestId('logs-table')).toHaveCount(0)
  await page.screenshot({ path: join(SHOTS, 'logs-no-log.png'), fullPage: true })

  await page.goto(`${gateway.baseUrl}/#/`)
  await expect(page.getByRole('status').filter({ hasText: 'Request logging is off' })).toBeVisible()
  await expect(page.getByText('Could not load the numbers')).toHaveCount(0)
  await page.screenshot({ path: join(SHOTS, 'overview-no-log.png'), fullPage: true })
})
