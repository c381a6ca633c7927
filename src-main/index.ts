import { join } from 'node:path'
import { app, BrowserWindow, ipcMain, shell } from 'electron'
import { loadConfigFile } from '../src-gateway/config/load'
import { defaultDataDir, resourcesDir } from '../src-gateway/paths'
import { buildGateway } from '../src-gateway/server'

// Electron's userData folder and the headless CLI's default data folder are the same place.
app.setName('Switchyard')

const PREFERRED_PORT = 4141

async function startGateway(): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const dataDir = defaultDataDir()
  const configPath = join(resourcesDir, 'default-config.yaml')
  const gateway = buildGateway(loadConfigFile(configPath), { dataDir })
  try {
    await gateway.listen({ host: '127.0.0.1', port: PREFERRED_PORT })
  } catch (err) {
    // Another gateway (e.g. `switchyard serve`) owns the usual port: run ours on a free one.
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err
    await gateway.listen({ host: '127.0.0.1', port: 0 })
  }
  const addr = gateway.server.address()
  const port = typeof addr === 'object' && addr ? addr.port : PREFERRED_PORT
  return { baseUrl: `http://127.0.0.1:${port}`, close: () => gateway.close() }
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1200,
    height: 800,
    title: 'Switchyard',
    webPreferences: {
      preload: join(__dirname, '../preload/preload.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
    },
  })
  // Links open in the user's browser, never inside the app window.
  win.webContents.setWindowOpenHandler(({ url }) => {
    shell.openExternal(url)
    return { action: 'deny' }
  })
  if (!app.isPackaged && process.env.ELECTRON_RENDERER_URL) win.loadURL(process.env.ELECTRON_RENDERER_URL)
  else win.loadFile(join(__dirname, '../renderer/index.html'))
  return win
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  let gateway: Awaited<ReturnType<typeof startGateway>> | undefined
  let quitting = false

  app.on('second-instance', () => {
    const [win] = BrowserWindow.getAllWindows()
    if (win) {
      if (win.isMinimized()) win.restore()
      win.focus()
    }
  })

  app.whenReady().then(async () => {
    gateway = await startGateway()
    ipcMain.handle('app:gateway-info', () => ({ baseUrl: gateway?.baseUrl }))
    createWindow()
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow()
    })
  })

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })

  // Close the gateway (which flushes its logs) before the process ends.
  app.on('before-quit', (event) => {
    if (quitting || !gateway) return
    event.preventDefault()
    quitting = true
    gateway.close().finally(() => app.quit())
  })
}
