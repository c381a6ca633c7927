import { join } from 'node:path'
import { Menu, nativeImage, Tray } from 'electron'
import { resourcesDir } from '../src-gateway/paths.js'
import type { GatewayNotice, GatewayStatus } from '../src-shared/desktop-api'
import { setStartAtLogin, startAtLogin } from './login-item.js'

export interface TrayActions {
  open(): void
  copyEndpoint(): void
  setPaused(paused: boolean): void
  quit(): void
}

const usd = (n: number) => (n < 0.01 && n > 0 ? `$${n.toFixed(4)}` : `$${n.toFixed(2)}`)

function stateLine(s: GatewayStatus): string {
  if (s.state === 'failed') return 'stopped (see the last notice)'
  if (s.state === 'restarting') return 'restarting…'
  return s.paused ? 'paused' : `listening on port ${s.port}`
}

function todayLine(s: GatewayStatus): string {
  if (s.requestsToday === null) return 'Today: not recorded (no data folder)'
  return `Today: ${s.requestsToday} request${s.requestsToday === 1 ? '' : 's'}, ${usd(s.costTodayUsd ?? 0)}`
}

/**
 * The tray icon: gateway status at a glance and the quick actions. `show` re-renders it from a status;
 * `notice` keeps the gateway's last notice (a restart, giving up, log writes failing) in the menu.
 */
export function createTray(actions: TrayActions): {
  show(status: GatewayStatus): void
  notice(notice: GatewayNotice): void
  destroy(): void
} {
  const tray = new Tray(nativeImage.createFromPath(join(resourcesDir, 'tray.png')))
  tray.on('click', actions.open)
  let last: GatewayStatus | undefined
  let lastNotice: GatewayNotice | undefined
  const show = (s: GatewayStatus) => {
    last = s
    const state = stateLine(s)
    tray.setToolTip(`Switchyard: ${state}\n${todayLine(s)}`)
    const login = startAtLogin()
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: `Switchyard: ${state}`, enabled: false },
        { label: todayLine(s), enabled: false },
        ...(lastNotice ? [{ label: lastNotice.message, enabled: false }] : []),
        { type: 'separator' },
        { label: 'Open Switchyard', click: actions.open },
        { label: 'Copy endpoint URL', click: actions.copyEndpoint },
        {
          label: s.paused ? 'Resume gateway' : 'Pause gateway',
          enabled: s.state === 'running',
          click: () => actions.setPaused(!s.paused),
        },
        {
          label: 'Start at login',
          type: 'checkbox',
          visible: login.supported,
          checked: login.enabled,
          click: (item) => setStartAtLogin(item.checked),
        },
        { type: 'separator' },
        { label: 'Quit Switchyard', click: actions.quit },
      ]),
    )
  }
  return {
    show,
    notice(n) {
      lastNotice = n
      if (last) show(last)
    },
    destroy: () => tray.destroy(),
  }
}
