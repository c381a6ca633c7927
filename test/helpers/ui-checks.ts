import { join } from 'node:path'
import { expect, type Page, test } from '@playwright/test'

const SHOTS = join(import.meta.dirname, '..', 'e2e', 'screenshots')

/** Fails each test of the file that logs a console error or throws in the page (the favicon probe aside). */
export function failOnConsoleErrors(): void {
  let consoleErrors: string[] = []
  test.beforeEach(({ page }) => {
    consoleErrors = []
    // The browser's own favicon probe is not the app's request.
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) consoleErrors.push(m.text())
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
