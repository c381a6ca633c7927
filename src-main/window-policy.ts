import { APP_PAGE_URL, parseUrl } from './app-scheme.js'

// The decisions behind the window's hardening (hardening.ts), kept free of Electron so they are tested as
// plain functions. The renderer holds the admin token: a page that is not ours must never run in the window,
// reach the IPC handlers, or get the OS to open a URL it chose.

/** The one page the window may show: the built renderer at `app://switchyard/index.html`, or the dev server. */
export type AppPage = { kind: 'app' } | { kind: 'dev'; origin: string }

export const appPageOf = (devServerUrl: string | undefined): AppPage =>
  devServerUrl ? { kind: 'dev', origin: new URL(devServerUrl).origin } : { kind: 'app' }

/** The app page itself, on any hash route: the router lives in the hash. */
function isAppPage(url: string, page: AppPage): boolean {
  const u = parseUrl(url)
  if (!u) return false
  if (page.kind === 'dev') return u.origin === page.origin
  // The parser has resolved `..` and keeps a user, port or query in the href, so only the page itself matches.
  u.hash = ''
  return u.href === APP_PAGE_URL
}

/** `will-navigate` / `will-redirect`: the window never leaves its page. */
export const canNavigate = (url: string, page: AppPage): boolean => isAppPage(url, page)

/**
 * A link that asks for a new window goes to the user's browser, and only when it is a web link: `file:`,
 * `javascript:` or a custom scheme (`ms-msdt:`, `smb:`…) handed to the OS can run programs.
 */
export function canOpenExternally(url: string): boolean {
  const u = parseUrl(url)
  return u !== null && (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== ''
}

/** What an IPC event says about its sender (Electron's `WebFrameMain`, or null when the frame is gone). */
export interface SenderFrame {
  url: string
  parent: unknown
}

/** IPC answers only the app page's main frame: never a sub-frame, and never a page the window was steered to. */
export function isTrustedSender(frame: SenderFrame | null, page: AppPage): boolean {
  return frame !== null && frame.parent === null && isAppPage(frame.url, page)
}

/**
 * Web permissions (camera, location, notifications, clipboard reads, file system…) are all refused; the app
 * needs only clipboard writes, for its Copy buttons.
 */
export const isPermissionGranted = (permission: string): boolean => permission === 'clipboard-sanitized-write'
