import { join } from 'node:path'
import { expect, type Page, test } from '@playwright/test'
import type { ServeProcess } from './serve-process'

const SHOTS = join(import.meta.dirname, '..', 'e2e', 'screenshots')

/**
 * Fails each test of the file that logs a console error or throws in the page (a missing favicon included);
 * console errors whose text matches `ignore` aside.
 */
export function failOnConsoleErrors(ignore?: RegExp): void {
  let consoleErrors: string[] = []
  test.beforeEach(({ page }) => {
    consoleErrors = []
    page.on('console', (m) => {
      if (m.type() === 'error' && !ignore?.test(m.text())) consoleErrors.push(`${m.text()} ${m.location().url}`)
    })
    page.on('pageerror', (e) => consoleErrors.push(e.message))
  })
  test.afterEach(() => {
    expect(consoleErrors).toEqual([])
  })
}

/** A full-page shot from the top: scrolled, the sticky sidebar would be drawn part-way down the image. */
export async function shot(page: Page, file: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.screenshot({ path: join(SHOTS, `${file}.png`), fullPage: true })
}

/**
 * Signs the page's browser in the way a user does: the one-time link `serve` printed, the first time;
 * after that (the link works once) the sign-in page with the token from the data folder.
 */
export async function signIn(page: Page, gateway: ServeProcess): Promise<void> {
  const link = gateway.takeLoginUrl()
  if (link) {
    await page.goto(link)
  } else {
    await page.goto(gateway.baseUrl)
    await page.getByLabel('Admin token').fill(gateway.adminToken)
    await page.getByRole('button', { name: 'Sign in' }).click()
  }
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible()
}
