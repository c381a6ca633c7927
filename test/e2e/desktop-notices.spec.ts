import { expect, test } from '@playwright/test'
import type { GatewayNotice } from '../../src-shared/desktop-api'
import { type ServeProcess, startServe } from '../helpers/serve-process'

// The desktop window shows the notices main sends when its gateway process restarts or gives up. The page
// here is the web build with a stand-in for the preload's bridge (window.desktop), the only way notices reach
// the renderer; the bridge itself and main's side are covered by test/gateway/gateway-process.test.ts.

let gateway: ServeProcess

test.beforeAll(async () => {
  gateway = await startServe('providers:\n  local: { type: ollama, baseUrl: "http://127.0.0.1:9" }\n')
})
test.afterAll(async () => {
  await gateway?.stop()
})

declare global {
  interface Window {
    sendGatewayNotice?: (notice: GatewayNotice) => void
  }
}

test('a gateway notice from main shows over the page until dismissed', async ({ page }) => {
  await page.addInitScript(
    ({ baseUrl, token }) => {
      const listeners = new Set<(n: unknown) => void>()
      window.sendGatewayNotice = (n) => {
        for (const l of listeners) l(n)
      }
      // Only what the pages ask of the bridge on the way to the Overview; the rest is not called here.
      ;(window as unknown as { desktop: unknown }).desktop = {
        gatewayInfo: async () => ({ baseUrl }),
        adminToken: async () => token,
        onGatewayStatus: () => () => {},
        onGatewayNotice: (callback: (n: unknown) => void) => {
          listeners.add(callback)
          return () => listeners.delete(callback)
        },
      }
    },
    { baseUrl: gateway.baseUrl, token: gateway.adminToken },
  )
  await page.goto(`${gateway.baseUrl}/`)
  await expect(page.getByTestId('health')).toHaveText('Healthy')
  const message = 'The gateway stopped unexpectedly (exit code 1) and was restarted'
  await page.evaluate(
    (m) => window.sendGatewayNotice?.({ level: 'warning', message: m, at: new Date().toISOString() }),
    message,
  )
  const notice = page.getByRole('alert').filter({ hasText: message })
  await expect(notice).toBeVisible()
  await notice.getByRole('button', { name: 'Dismiss' }).click()
  await expect(notice).toHaveCount(0)
})
