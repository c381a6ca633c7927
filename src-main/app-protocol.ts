import { stat } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
import { net, protocol } from 'electron'
import { APP_SCHEME, contentTypeOf, rendererFileFor } from './app-scheme.js'

/**
 * Makes `app:` a standard, secure scheme with fetch and CORS, so the page has a real origin
 * (`app://switchyard`), storage and a secure context. Electron accepts this only before `ready`.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
  ])
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}

/** Serves the built renderer folder at `app://switchyard/`; anything else under the scheme is a 404. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = request.method === 'GET' ? rendererFileFor(request.url, rendererDir) : null
    if (file === null || !(await isFile(file))) return new Response('Not found', { status: 404 })
    const res = await net.fetch(pathToFileURL(file).href)
    return new Response(res.body, { status: res.status, headers: { 'content-type': contentTypeOf(file) } })
  })
}
