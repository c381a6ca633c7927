import { defineConfig } from '@playwright/test'

// Playwright cannot download its own browsers here: drive Debian's chromium (apt-get install chromium).
export default defineConfig({
  testDir: 'test/e2e',
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? 'list' : 'line',
  outputDir: 'test-results',
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    screenshot: 'only-on-failure',
  },
})
