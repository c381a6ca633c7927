/** What the Electron preload exposes as `window.desktop`. The web build has none. */
export interface DesktopApi {
  /** Where the in-process gateway listens, e.g. http://127.0.0.1:4141 */
  gatewayInfo(): Promise<{ baseUrl: string }>
}

declare global {
  interface Window {
    desktop?: DesktopApi
  }
}
