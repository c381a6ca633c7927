import { join } from 'node:path'
import { app, BrowserWindow, clipboard, dialog, session } from 'electron'
import { defaultDataDir } from '../src-gateway/paths.js'
import type { GatewayNotice, GatewayStatus } from '../src-shared/desktop-api'
import { registerAppScheme, serveRenderer } from './app-protocol.js'
import { APP_PAGE_URL } from './app-scheme.js'
import { type GatewayHost, startGatewayHost } from './gateway-host.js'
import { hardenWindow, restrictPermissions } from './hardening.js'
import { endpointUrl, registerAppIpc } from './ipc/app.js'
import { keychainBodyKeyStore, keychainSecretStore } from './keychain-secrets.js'
import { launchedHidden } from './login-item.js'
import { createTray } from './tray.js'
import { utilityGatewayChild } from './utility-process-child.js'
import { appPageOf } from './window-policy.js'
import { loadWindowState, trackWindowState } from './window-state.js'

// Electron's userData folder and the headless CLI's default data folder are the same place.
app.setName('Switchyard')

/** How often the tray's "today" counters are refreshed. */
const STATUS_REFRESH_MS = 30_000

const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined
/** The built renderer, served to the window as `app://switchyard/` (see app-scheme.ts for why not file://). */
const rendererDir = join(__dirname, '../renderer')
/** The window's one page; navigation, new windows and IPC are checked against it. */
const page = appPageOf(devServerUrl)
registerAppScheme()

function createWindow(stateFile: string): BrowserWindow {
  const state = loadWindowState(stateFile)
  const win = new BrowserWindow({
    x: state.x,
    y: state.y,
    width: state.width,
    height: state.height,
    title: 'Switchyard',
    webPreferences: {
      preload: join(__dirname, '../preload/preload.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
    },
  })
  if (state.maximized) win.maximize()
  trackWindowState(win, stateFile)
  hardenWindow(win, page)
  void win.loadURL(devServerUrl ?? APP_PAGE_URL)
  return win
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  let host: GatewayHost | undefined
  let tray: ReturnType<typeof createTray> | undefined
  let quitting = false
  const stateFile = join(app.getPath('userData'), 'window-state.json')

  const openWindow = () => {
    const [win] = BrowserWindow.getAllWindows()
    if (!win) return void createWindow(stateFile)
    if (win.isMinimized()) win.restore()
    win.show()
    win.focus()
  }

  /** Re-reads the status and shows it in the tray and every window. */
  const publishStatus = async (): Promise<GatewayStatus | undefined> => {
    if (!host || quitting) return undefined
    const status = await host.status()
    tray?.show(status)
    for (const win of BrowserWindow.getAllWindows()) win.webContents.send('main:gateway-status', status)
    return status
  }
  const setPaused = async (paused: boolean): Promise<GatewayStatus> => {
    if (!host) throw new Error('the gateway is not running')
    await host.setPaused(paused)
    return (await publishStatus()) ?? host.status()
  }
  /** The gateway runs in its own process: its restarts and warnings reach the tray and every window. */
  const publishNotice = (notice: GatewayNotice) => {
    tray?.notice(notice)
    for (const win of BrowserWindow.getAllWindows()) win.webContents.send('main:gateway-notice', notice)
    // Given up after too many crashes: say so even when no window is open.
    if (notice.level === 'error')
      void dialog.showMessageBox({ type: 'error', title: 'Switchyard', message: notice.message })
    void publishStatus()
  }

  app.on('second-instance', openWindow)
  // A gateway with `server.tls` usually has a self-signed certificate: the window accepts exactly the one the
  // gateway serves, on the gateway's own address, and nothing else.
  app.on('certificate-error', (event, _contents, url, _error, certificate, callback) => {
    const own = host?.certificatePem
    if (own && url.startsWith(`${host!.baseUrl}/`) && own.includes(certificate.data.trim())) {
      event.preventDefault()
      callback(true)
    } else callback(false)
  })

  app
    .whenReady()
    .then(async () => {
      restrictPermissions(session.defaultSession)
      serveRenderer(rendererDir)
      const dataDir = defaultDataDir()
      host = await startGatewayHost({
        dataDir,
        secrets: keychainSecretStore(dataDir),
        bodyKeys: keychainBodyKeyStore(dataDir),
        spawn: utilityGatewayChild(),
      })
      host.onNotice(publishNotice)
      // The page keeps the address it was given: after a restart on another port it loads again.
      host.onRestart((moved) => {
        if (moved) for (const win of BrowserWindow.getAllWindows()) win.webContents.reload()
      })
      registerAppIpc({ host, page, setPaused })
      const running = host
      tray = createTray({
        open: openWindow,
        copyEndpoint: () => clipboard.writeText(endpointUrl(running)),
        // Refused while the gateway restarts: the menu then shows its state again.
        setPaused: (paused) => void setPaused(paused).catch(() => publishStatus()),
        quit: () => app.quit(),
      })
      await publishStatus()
      setInterval(() => void publishStatus(), STATUS_REFRESH_MS).unref()
      // Started at login: the gateway serves from the tray until the user opens the window.
      if (!launchedHidden()) createWindow(stateFile)
      app.on('activate', openWindow)
    })
    .catch((err: unknown) => {
      // Without this the app would sit in the background with no window, no tray and no gateway
      // (a broken config file, the data folder not writable…): say why and end with a failure code.
      dialog.showErrorBox('Switchyard could not start', err instanceof Error ? err.message : String(err))
      // A gateway that did start writes its queued log rows first.
      void (host ? host.close() : Promise.resolve()).finally(() => app.exit(1))
    })

  // Closing the window keeps the gateway serving from the tray; "Quit" in the tray ends it.
  app.on('window-all-closed', () => {
    if (!tray) app.quit()
  })

  // Close the gateway (which writes every queued log row, then its process ends) before the app ends.
  app.on('before-quit', (event) => {
    if (quitting || !host) return
    event.preventDefault()
    quitting = true
    tray?.destroy()
    host.close().finally(() => app.quit())
  })
}
