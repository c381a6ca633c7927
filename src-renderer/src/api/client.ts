import type {} from '../../../src-shared/desktop-api'
import { chosenWorkspace, WORKSPACE_HEADER } from './workspace-choice'

/** A failed call to the gateway, carrying the message from its error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly requestId: string | null = null,
    /** The field at fault (`custom.1.pattern`), when the gateway named one: the form shows the error there. */
    readonly param: string | null = null,
    /** The gateway's machine-readable reason (`totp_required`, `too_many_attempts`): pages branch on it, not on the text. */
    readonly code: string | null = null,
    /** Seconds to wait before trying again, from `Retry-After` (a 429). */
    readonly retryAfter: number | null = null,
  ) {
    super(message)
  }
}

/** The desktop window: the gateway is reached with the token main hands over, never with a session. */
export const isDesktop = (): boolean => typeof window !== 'undefined' && window.desktop !== undefined

let baseUrlPromise: Promise<string> | undefined

/** The gateway's origin: from the desktop shell when there is one, else the page's own origin. */
export function gatewayBaseUrl(): Promise<string> {
  baseUrlPromise ??= window.desktop
    ? window.desktop.gatewayInfo().then((i) => i.baseUrl)
    : Promise.resolve(window.location.origin)
  return baseUrlPromise
}

/** One readable sentence for any error a call can throw, for showing beside the action that failed. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 404 && /^no route for /.test(err.message)) {
      return `This gateway does not offer this yet (${err.message}). Update Switchyard or check back later.`
    }
    // The request id finds the matching row in Logs and in the gateway's own log.
    const details = [err.status ? `HTTP ${err.status}` : '', err.requestId ? `request ${err.requestId}` : '']
      .filter(Boolean)
      .join(', ')
    return details ? `${err.message} (${details})` : err.message
  }
  if (err instanceof TypeError) return `Cannot reach the gateway: ${err.message}`
  return err instanceof Error ? err.message : String(err)
}

/** The gateway's refusal of one field, as that field shows it: its part of the message, without the path. */
export function fieldErrorsOf(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError) || !err.param) return {}
  const param = err.param
  const part = err.message.split('; ').find((m) => m.startsWith(`${param}: `))
  return { [param]: part ? part.slice(param.length + 2) : err.message }
}

/**
 * How the renderer proves it is the admin. The web build holds an HttpOnly session cookie, which the browser
 * sends by itself; the `x-switchyard-csrf` header is one a cross-site form cannot set, so the gateway accepts a
 * state-changing call with the cookie only when it is there. The desktop window is an `app://switchyard` page
 * with no cookie for the gateway: main hands it the admin token through the preload bridge instead.
 */
let authHeadersPromise: Promise<Record<string, string>> | undefined
function authHeaders(): Promise<Record<string, string>> {
  authHeadersPromise ??= window.desktop
    ? window.desktop.adminToken().then((token) => ({ authorization: `Bearer ${token}`, 'x-switchyard-csrf': '1' }))
    : Promise.resolve({ 'x-switchyard-csrf': '1' })
  return authHeadersPromise
}

const unauthorizedListeners = new Set<() => void>()
const workspaceRefusedListeners = new Set<(workspace: string) => void>()

/**
 * Called when the gateway no longer knows the workspace the switcher chose (deleted or renamed away since this
 * page loaded it): the app drops the choice, so the next call is made in the person's first workspace.
 */
export function onWorkspaceRefused(listener: (workspace: string) => void): () => void {
  workspaceRefusedListeners.add(listener)
  return () => {
    workspaceRefusedListeners.delete(listener)
  }
}

/** Whether a 400 refuses the workspace header itself (not a field of the request). */
async function refusesWorkspaceHeader(res: Response): Promise<boolean> {
  try {
    const { error } = (await res.json()) as { error?: { code?: unknown; param?: unknown } }
    return error?.code === 'invalid_workspace' && error.param === WORKSPACE_HEADER
  } catch {
    return false
  }
}

/** Called when the admin API refuses the renderer (no session, or it expired): the app shows its sign-in page. */
export function onAdminUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener)
  return () => {
    unauthorizedListeners.delete(listener)
  }
}

/**
 * Every call the renderer makes to the gateway goes through here, so each carries the admin credentials:
 * the admin API needs them, and the model APIs need them once client keys exist (the Playground and prompt
 * runs call `/v1` as the admin, not with a client key). Each also names the workspace chosen in team mode.
 */
export async function gatewayFetch(path: string, init: RequestInit = {}): Promise<Response> {
  let workspace: string | null = null
  const attempt = async () => {
    const headers = new Headers(init.headers)
    for (const [name, value] of Object.entries(await authHeaders())) headers.set(name, value)
    workspace = chosenWorkspace()
    if (workspace !== null) headers.set(WORKSPACE_HEADER, workspace)
    return fetch(`${await gatewayBaseUrl()}${path}`, { ...init, headers, credentials: 'same-origin' })
  }
  let res = await attempt()
  if (res.status === 401 && isDesktop()) {
    // The admin token can change while the app runs (a config import sets `server.adminToken`): ask main
    // for it again, once. A refused call did nothing, so sending it again is safe.
    authHeadersPromise = undefined
    res = await attempt()
  }
  if (res.status === 401 && path.startsWith('/admin/')) for (const listener of unauthorizedListeners) listener()
  const sent: string | null = workspace
  if (res.status === 400 && sent !== null && (await refusesWorkspaceHeader(res.clone()))) {
    for (const listener of workspaceRefusedListeners) listener(sent)
  }
  return res
}

async function send(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
  const res = await gatewayFetch(path, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  })
  if (!res.ok) {
    const text = await res.text()
    let message = `${res.status} ${res.statusText}`
    let param: string | null = null
    let code: string | null = null
    try {
      const parsed = JSON.parse(text)
      message = parsed?.error?.message ?? parsed?.message ?? message
      if (typeof parsed?.error?.param === 'string' && parsed.error.param) param = parsed.error.param
      if (typeof parsed?.error?.code === 'string' && parsed.error.code) code = parsed.error.code
    } catch {
      if (text) message = text.slice(0, 300)
    }
    const wait = Number.parseInt(res.headers.get('retry-after') ?? '', 10)
    throw new ApiError(
      res.status,
      message,
      res.headers.get('x-request-id'),
      param,
      code,
      Number.isFinite(wait) && wait >= 0 ? wait : null,
    )
  }
  return res
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await send('GET', path, undefined, signal)).json() as Promise<T>
}

export async function getText(path: string): Promise<string> {
  return (await send('GET', path)).text()
}

export async function sendJson<T>(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  const res = await send(method, path, body, signal)
  const text = await res.text()
  return (text ? JSON.parse(text) : null) as T
}

/** The name in `Content-Disposition: attachment; filename="…"`, if any. */
function attachmentName(disposition: string | null): string {
  return (disposition && /filename="?([^";]+)"?/.exec(disposition)?.[1]) || ''
}

/**
 * Saves a file the gateway serves (an export, a backup) under the gateway's file name. The web build lets the
 * browser fetch it, so it streams to disk with the session cookie; the desktop window has no cookie, so it
 * fetches with the admin token and saves the bytes.
 */
export async function downloadFile(path: string): Promise<void> {
  if (window.desktop) {
    const res = await send('GET', path)
    saveBlob(await res.blob(), attachmentName(res.headers.get('content-disposition')))
    return
  }
  const a = document.createElement('a')
  a.href = `${await gatewayBaseUrl()}${path}`
  a.download = ''
  a.click()
}

function saveBlob(blob: Blob, name: string): void {
  const a = document.createElement('a')
  const url = URL.createObjectURL(blob)
  a.href = url
  a.download = name
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 0)
}

/**
 * Saves a file the gateway serves, reading it here so that `onChunk` sees every chunk as it arrives (a
 * progress display); `signal` cancels the download.
 */
export async function downloadWithProgress(
  path: string,
  onChunk: (chunk: Uint8Array) => void,
  signal?: AbortSignal,
): Promise<void> {
  const res = await send('GET', path, undefined, signal)
  const chunks: Uint8Array[] = []
  if (res.body) {
    const reader = res.body.getReader()
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      chunks.push(r.value)
      onChunk(r.value)
    }
  }
  const type = res.headers.get('content-type') ?? 'application/octet-stream'
  saveBlob(new Blob(chunks as BlobPart[], { type }), attachmentName(res.headers.get('content-disposition')))
}

/** A query string from the defined, non-empty values only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v))
  const s = q.toString()
  return s ? `?${s}` : ''
}

/** GET /admin/v1/info, as its contract states it. */
export type { GatewayInfo } from '../../../src-shared/contract/info'
