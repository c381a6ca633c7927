import { useSyncExternalStore } from 'react'

/**
 * Hash routing (`#/logs?model=x`): it works on the desktop window's app:// page and at `/` of the gateway without
 * a server catch-all, and keeps view state in the URL so reload and Back restore it.
 */
export interface HashLocation {
  path: string
  query: URLSearchParams
}

export function parseHash(hash: string): HashLocation {
  const raw = hash.replace(/^#/, '') || '/'
  const q = raw.indexOf('?')
  const path = q < 0 ? raw : raw.slice(0, q)
  return { path: path || '/', query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) }
}

function subscribe(cb: () => void) {
  window.addEventListener('hashchange', cb)
  return () => window.removeEventListener('hashchange', cb)
}

export function useHashLocation(): HashLocation {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash)
  // Parsed per render: hashes are short and this keeps the snapshot a primitive string.
  return parseHash(hash)
}

export function hrefFor(path: string, params: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v)
  const s = q.toString()
  return `#${path}${s ? `?${s}` : ''}`
}

export function navigate(path: string, params: Record<string, string | undefined> = {}): void {
  window.location.hash = hrefFor(path, params)
}

/** Rewrites the query of the current page without adding a history entry (filters as you type). */
export function replaceQuery(params: Record<string, string | undefined>): void {
  const { path } = parseHash(window.location.hash)
  const next = hrefFor(path, params)
  if (next === window.location.hash || (next === `#${path}` && window.location.hash === '')) return
  window.history.replaceState(null, '', next)
  window.dispatchEvent(new HashChangeEvent('hashchange'))
}
