import { app } from 'electron'
import type { StartAtLogin } from '../src-shared/desktop-api'

/** Passed to the app when the OS starts it at login: open to the tray, without a window. */
export const HIDDEN_ARG = '--hidden'

const supported = process.platform === 'darwin' || process.platform === 'win32'

export function startAtLogin(): StartAtLogin {
  return { supported, enabled: supported && app.getLoginItemSettings({ args: [HIDDEN_ARG] }).openAtLogin }
}

export function setStartAtLogin(enabled: boolean): StartAtLogin {
  if (supported) app.setLoginItemSettings({ openAtLogin: enabled, args: [HIDDEN_ARG] })
  return startAtLogin()
}

/** Whether this launch came from the login item (then the gateway runs in the tray only). */
export function launchedHidden(): boolean {
  return process.argv.includes(HIDDEN_ARG) || (supported && app.getLoginItemSettings().wasOpenedAtLogin === true)
}
