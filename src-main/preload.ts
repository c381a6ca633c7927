import { contextBridge, ipcRenderer } from 'electron'
import type { DesktopApi } from '../src-shared/desktop-api'

// One method per message; the renderer never gets ipcRenderer itself.
const api: DesktopApi = {
  gatewayInfo: () => ipcRenderer.invoke('app:gateway-info'),
}

contextBridge.exposeInMainWorld('desktop', api)
