import type {} from '../../../src-shared/desktop-api'

/** An error body from the gateway, in its OpenAI-style shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
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

export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(`${await gatewayBaseUrl()}${path}`)
  const body = await res.json().catch(() => null)
  if (!res.ok) throw new ApiError(res.status, body?.error?.message ?? `${res.status} ${res.statusText}`)
  return body as T
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
