import { clipboard, ipcMain, shell } from 'electron'
import type { GatewayStatus } from '../../src-shared/desktop-api'
import type { GatewayHost } from '../gateway-host.js'
import { setStartAtLogin, startAtLogin } from '../login-item.js'

export interface AppIpcDeps {
  host: GatewayHost
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
export function registerAppIpc({ host, setPaused }: AppIpcDeps): void {
  ipcMain.handle('app:gateway-info', () => ({ baseUrl: host.baseUrl }))
  ipcMain.handle('app:gateway-status', () => host.status())
  ipcMain.handle('app:set-gateway-paused', (_e, paused: unknown) =>
    setPaused(expectBoolean(paused, 'app:set-gateway-paused')),
  )
  ipcMain.handle('app:copy-endpoint', () => {
    const url = endpointUrl(host)
    clipboard.writeText(url)
    return url
  })
  ipcMain.handle('app:start-at-login', () => startAtLogin())
  ipcMain.handle('app:set-start-at-login', (_e, enabled: unknown) =>
    setStartAtLogin(expectBoolean(enabled, 'app:set-start-at-login')),
  )
  ipcMain.handle('app:show-data-dir', async () => {
    await shell.openPath(host.dataDir)
  })
}
