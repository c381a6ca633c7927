import { DEFAULT_BASE_URLS, type ProviderType } from '../../../src-shared/admin-api'

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0)$/

/**
 * Whether a provider runs on this machine, from its configured URL (or its type's default). Used where
 * the gateway's own `local` flag is not at hand: the info endpoint lists providers without it.
 */
export function isLocalProvider(p: { type: string; baseUrl: string | null }): boolean {
  const url = p.baseUrl ?? DEFAULT_BASE_URLS[p.type as ProviderType]
  if (!url) return false
  try {
    return LOOPBACK.test(new URL(url).hostname)
  } catch {
    return false
  }
}
