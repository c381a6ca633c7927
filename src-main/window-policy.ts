import { pathToFileURL } from 'node:url'

// The decisions behind the window's hardening (hardening.ts), kept free of Electron so they are tested as
// plain functions. The renderer holds the admin token: a page that is not ours must never run in the window,
// reach the IPC handlers, or get the OS to open a URL it chose.

/** The one page the window may show: the packaged renderer file, or the dev server in development. */
export type AppPage = { kind: 'file'; url: URL } | { kind: 'dev'; origin: string }

export function appPageOf(rendererFile: string, devServerUrl: string | undefined): AppPage {
  return devServerUrl
    ? { kind: 'dev', origin: new URL(devServerUrl).origin }
    : { kind: 'file', url: pathToFileURL(rendererFile) }
}

function parse(url: string): URL | null {
  try {
    return new URL(url)
  } catch {
    return null
  }
}

function safeDecode(path: string): string | null {
  try {
    return decodeURIComponent(path)
  } catch {
    return null
  }
}

/** The app page itself, on any hash route: the router lives in the hash. */
function isAppPage(url: string, page: AppPage): boolean {
  const u = parse(url)
  if (!u) return false
  if (page.kind === 'dev') return u.origin === page.origin
  // The parser has already resolved `..`, so a path that walks out of the renderer folder does not match.
  // Paths are compared decoded: Chromium and Node may percent-encode a folder name (spaces, accents) differently.
  return (
    u.protocol === 'file:' &&
    u.host === page.url.host &&
    u.search === '' &&
    safeDecode(u.pathname) === safeDecode(page.url.pathname)
  )
}

/** `will-navigate` / `will-redirect`: the window never leaves its page. */
export const canNavigate = (url: string, page: AppPage): boolean => isAppPage(url, page)

/**
 * A link that asks for a new window goes to the user's browser, and only when it is a web link: `file:`,
 * `javascript:` or a custom scheme (`ms-msdt:`, `smb:`…) handed to the OS can run programs.
 */
export function canOpenExternally(url: string): boolean {
  const u = parse(url)
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
