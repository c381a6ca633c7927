import { contextBridge, type IpcRendererEvent, ipcRenderer } from 'electron'
import type { DesktopApi, GatewayNotice, GatewayStatus } from '../src-shared/desktop-api'

// One method per message; the renderer never gets ipcRenderer itself.
const api: DesktopApi = {
  gatewayInfo: () => ipcRenderer.invoke('app:gateway-info'),
  adminToken: () => ipcRenderer.invoke('app:admin-token'),
  gatewayStatus: () => ipcRenderer.invoke('app:gateway-status'),
  setGatewayPaused: (paused) => ipcRenderer.invoke('app:set-gateway-paused', paused),
  copyEndpoint: () => ipcRenderer.invoke('app:copy-endpoint'),
  startAtLogin: () => ipcRenderer.invoke('app:start-at-login'),
  setStartAtLogin: (enabled) => ipcRenderer.invoke('app:set-start-at-login', enabled),
  showDataDir: () => ipcRenderer.invoke('app:show-data-dir'),
  onGatewayStatus: (callback) => {
    // The event carries `sender`; the renderer gets only the payload.
    const listener = (_event: IpcRendererEvent, status: GatewayStatus) => callback(status)
    ipcRenderer.on('main:gateway-status', listener)
    return () => ipcRenderer.off('main:gateway-status', listener)
  },
  onGatewayNotice: (callback) => {
    const listener = (_event: IpcRendererEvent, notice: GatewayNotice) => callback(notice)
    ipcRenderer.on('main:gateway-notice', listener)
    return () => ipcRenderer.off('main:gateway-notice', listener)
  },
}

contextBridge.exposeInMainWorld('desktop', api)
