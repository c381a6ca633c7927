import { type BrowserWindow, type Session, shell } from 'electron'
import { type AppPage, canNavigate, canOpenExternally, isPermissionGranted } from './window-policy.js'

/** Keeps the window on the app page: no navigation away, no new windows, no `<webview>`. */
export function hardenWindow(win: BrowserWindow, page: AppPage): void {
  const contents = win.webContents
  const stayOnPage = (event: Electron.Event, url: string) => {
    if (!canNavigate(url, page)) event.preventDefault()
  }
  contents.on('will-navigate', stayOnPage)
  contents.on('will-redirect', stayOnPage)
  // Links that ask for a new window open in the user's browser when they are web links, else nowhere.
  contents.setWindowOpenHandler(({ url }) => {
    if (canOpenExternally(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
}

/** Refuses every web permission the page could ask for (camera, location, notifications…) but clipboard writes. */
export function restrictPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => callback(isPermissionGranted(permission)))
  session.setPermissionCheckHandler((_contents, permission) => isPermissionGranted(permission))
}
