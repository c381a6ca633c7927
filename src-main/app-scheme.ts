import { extname, resolve, sep } from 'node:path'

// The window's page is served from `app://switchyard/…`, not `file://`. Chromium gives a file:// page an
// opaque origin and its POST fetches go out with `Origin: null`, which the gateway's CORS and Origin check
// refuse; `app://switchyard` is an origin they accept (src-gateway/api/cors.ts). Electron's security
// checklist asks for a custom scheme over file:// too. Kept free of Electron so it is tested as plain code.

export const APP_SCHEME = 'app'
const APP_HOST = 'switchyard'
/** The window's one page. */
export const APP_PAGE_URL = `${APP_SCHEME}://${APP_HOST}/index.html`

export function parseUrl(url: string): URL | null {
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

/**
 * The file of the renderer folder an `app://switchyard/…` URL names, or null (served as 404). The URL parser
 * has resolved literal `..` segments; what is left is checked after decoding, where `%2e%2e%2f` becomes
 * `../`: no empty, `.` or `..` segment, no backslash or drive colon (separators on Windows), no NUL. The
 * result must still lie inside the folder.
 */
export function rendererFileFor(url: string, rendererDir: string): string | null {
  const u = parseUrl(url)
  if (!u || u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST || u.username !== '' || u.password !== '') {
    return null
  }
  const path = safeDecode(u.pathname)
  if (path === null || /[\\:\0]/.test(path)) return null
  const segments = path.split('/').slice(1)
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return null
  const root = resolve(rendererDir)
  const file = resolve(root, ...segments)
  return file.startsWith(root + sep) ? file : null
}

// Module scripts are refused unless served as JavaScript, so the type is set here rather than left to
// whatever the OS maps the extension to.
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
}

export const contentTypeOf = (file: string): string =>
  CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
