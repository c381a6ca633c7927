import type { LogEvent } from '../core/log-event.js'

/** A provider as the conventions name it: `gen_ai.provider.name`, and `server.address`/`server.port`. */
export interface ProviderInfo {
  name: string
  address?: string
  port?: number
}

/** What spans and metrics need beyond the event itself, looked up when the event is exported. */
export interface CallFacts {
  provider(id: string): ProviderInfo | undefined
  /** Whether a provider/model pair is one the gateway lists (else metrics count it under `other`). */
  knownModel(provider: string, model: string): boolean
  /** The call's price in USD, or null when it has no usage or no price. */
  costUsd(e: LogEvent): number | null
  /** Replaces configured secrets (provider keys, the exporter's own headers) in text that leaves the gateway. */
  scrub(text: string): string
  captureContent: boolean
}

export type Operation = 'chat' | 'embeddings'

export const operationOf = (e: LogEvent): Operation => (e.inboundApi === 'embeddings' ? 'embeddings' : 'chat')

/** `error.type`: low-cardinality, so the status code (or `aborted` when the caller left), else `_OTHER`. */
export function errorType(status: number | undefined, error: string | undefined): string {
  if (error === 'aborted') return 'aborted'
  return status ? String(status) : '_OTHER'
}

/** The conventions' well-known `gen_ai.provider.name` values by provider type; other types go by their own name. */
const PROVIDER_NAMES: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  gemini: 'gcp.gemini',
  azure: 'azure.ai.openai',
  'azure-openai': 'azure.ai.openai',
}

/** A provider's conventions name and its upstream's host and port (never the URL: it may carry a key). */
export function providerInfo(type: string, baseUrl: string | undefined): ProviderInfo {
  const name = PROVIDER_NAMES[type] ?? type
  if (!baseUrl) return { name }
  try {
    const url = new URL(baseUrl)
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80
    return { name, address: url.hostname.replace(/^\[|\]$/g, ''), port }
  } catch {
    return { name }
  }
}
