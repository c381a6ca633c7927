/** The desktop app's gateway (in its own process) as the tray and the window show it. */
export interface GatewayStatus {
  /** e.g. http://127.0.0.1:4141 */
  baseUrl: string
  port: number
  /** Paused: model calls get 503 while the UI and admin API keep working. */
  paused: boolean
  /** Today (local time) from GET /admin/v1/stats; null when logs are not stored. */
  requestsToday: number | null
  costTodayUsd: number | null
  /**
   * running; restarting after its process stopped unexpectedly; failed: it stopped too often and was not
   * restarted (the counters are then null).
   */
  state: 'running' | 'restarting' | 'failed'
}

/** Something the user should hear of: the gateway restarted after a crash, gave up, or cannot write its log. */
export interface GatewayNotice {
  level: 'warning' | 'error'
  message: string
  /** ISO time main heard of it. */
  at: string
}

export interface StartAtLogin {
  /** Electron manages login items on macOS and Windows only. */
  supported: boolean
  enabled: boolean
}

/**
 * What the Electron preload exposes as `window.desktop`: one method per IPC message (`app:*` invoke
 * channels, `main:*` pushed events). The web build has none, so every caller checks `window.desktop`.
 */
export interface DesktopApi {
  /** Where the gateway listens, e.g. http://127.0.0.1:4141 */
  gatewayInfo(): Promise<{ baseUrl: string }>
  /**
   * The gateway's admin token, which the window sends as `Authorization: Bearer` (its `app://switchyard`
   * page has no session cookie for the gateway). Only main's own renderer gets an answer.
   */
  adminToken(): Promise<string>
  gatewayStatus(): Promise<GatewayStatus>
  setGatewayPaused(paused: boolean): Promise<GatewayStatus>
  /** Copies the OpenAI-style endpoint (`…/v1`) to the clipboard and returns it. */
  copyEndpoint(): Promise<string>
  startAtLogin(): Promise<StartAtLogin>
  setStartAtLogin(enabled: boolean): Promise<StartAtLogin>
  /** Opens the data folder (database, config, sealed secrets) in the file manager. */
  showDataDir(): Promise<void>
  /** Called on every status change (pause, refreshed counters); returns an unsubscribe function. */
  onGatewayStatus(callback: (status: GatewayStatus) => void): () => void
  /** Called on every gateway notice (see GatewayNotice); returns an unsubscribe function. */
  onGatewayNotice(callback: (notice: GatewayNotice) => void): () => void
}

declare global {
  interface Window {
    desktop?: DesktopApi
  }
}
