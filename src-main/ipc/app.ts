import { clipboard, type IpcMainInvokeEvent, ipcMain, shell } from 'electron'
import type { GatewayStatus } from '../../src-shared/desktop-api'
import type { GatewayHost } from '../gateway-host.js'
import { setStartAtLogin, startAtLogin } from '../login-item.js'
import { type AppPage, isTrustedSender } from '../window-policy.js'

export interface AppIpcDeps {
  host: GatewayHost
  /** The window's own page: the only sender these handlers answer. */
  page: AppPage
  /** Pauses or resumes the gateway and tells every listener (tray, windows). */
  setPaused(paused: boolean): Promise<GatewayStatus>
}

function expectBoolean(value: unknown, channel: string): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${channel} expects a boolean`)
  return value
}

/** The endpoint OpenAI-style tools are pointed at. */
export const endpointUrl = (host: GatewayHost) => `${host.baseUrl}/v1`

/** Handlers for the `app:*` channels of the preload's DesktopApi, one per method. */
export function registerAppIpc({ host, page, setPaused }: AppIpcDeps): void {
  // `app:admin-token` hands out the key to every prompt and provider key: each channel first checks that the
  // message comes from the app page's main frame, not from a frame or page that got into the window.
  const handle = (channel: string, handler: (arg: unknown) => unknown) =>
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, arg: unknown) => {
      if (!isTrustedSender(event.senderFrame, page)) throw new Error(`${channel}: refused, not the app's own page`)
      return handler(arg)
    })

  handle('app:gateway-info', () => ({ baseUrl: host.baseUrl }))
  handle('app:admin-token', () => host.adminToken)
  handle('app:gateway-status', () => host.status())
  handle('app:set-gateway-paused', (paused) => setPaused(expectBoolean(paused, 'app:set-gateway-paused')))
  handle('app:copy-endpoint', () => {
    const url = endpointUrl(host)
    clipboard.writeText(url)
    return url
  })
  handle('app:start-at-login', () => startAtLogin())
  handle('app:set-start-at-login', (enabled) => setStartAtLogin(expectBoolean(enabled, 'app:set-start-at-login')))
  handle('app:show-data-dir', async () => {
    await shell.openPath(host.dataDir)
  })
}
