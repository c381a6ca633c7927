import type {} from '../../../src-shared/desktop-api'

/** A failed call to the gateway, carrying the message from its error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly requestId: string | null = null,
    /** The field at fault (`custom.1.pattern`), when the gateway named one: the form shows the error there. */
    readonly param: string | null = null,
  ) {
    super(message)
  }
}

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

async function send(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
  const res = await fetch(`${await gatewayBaseUrl()}${path}`, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  })
  if (!res.ok) {
    const text = await res.text()
    let message = `${res.status} ${res.statusText}`
    let param: string | null = null
    try {
      const parsed = JSON.parse(text)
      message = parsed?.error?.message ?? parsed?.message ?? message
      if (typeof parsed?.error?.param === 'string' && parsed.error.param) param = parsed.error.param
    } catch {
      if (text) message = text.slice(0, 300)
    }
    throw new ApiError(res.status, message, res.headers.get('x-request-id'), param)
  }
  return res
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await send('GET', path, undefined, signal)).json() as Promise<T>
}

export async function getText(path: string): Promise<string> {
  return (await send('GET', path)).text()
}

export async function sendJson<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const res = await send(method, path, body)
  const text = await res.text()
  return (text ? JSON.parse(text) : null) as T
}

/** A query string from the defined, non-empty values only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v))
  const s = q.toString()
  return s ? `?${s}` : ''
}

export interface GatewayInfo {
  name: string
  version: string
  node: string
  startedAt: string
  uptimeSeconds: number
  dataDir: string | null
  providers: { id: string; type: string; baseUrl: string | null; hasApiKey: boolean }[]
  routes: string[]
}
