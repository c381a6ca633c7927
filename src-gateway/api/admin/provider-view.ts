import type { ProviderItem, ProviderTypeSettings } from '../../../src-shared/contract/providers.js'
import type { LoadedConfig } from '../../config/load.js'
import { maskSecret } from '../../config/mask.js'
import type { ProviderConfig } from '../../config/schema.js'
import { maskedUrl, refOf } from '../../config/secret-fields.js'
import type { GatewayContext } from '../../gateway-context.js'
import { isLocalProvider } from '../../pricing/locality.js'
import { descriptorOf } from '../../providers/registry.js'
import { scrubUpstreamText } from '../upstream-error-scrub.js'

/** The settings of its own type a provider sets (its descriptor names them), as the config file holds them. */
function typeSettings(raw: ProviderConfig): ProviderTypeSettings {
  const names = Object.keys(descriptorOf(raw.type).settings ?? {})
  const own = raw as Record<string, unknown>
  return Object.fromEntries(names.filter((n) => own[n] !== undefined).map((n) => [n, own[n]]))
}

/**
 * The admin API's view of one provider: never a credential, only whether a key is set and the masked
 * form of it and of every header value; the baseUrl as written, its references unresolved.
 */
export function providerItem(id: string, config: LoadedConfig, gw: GatewayContext): ProviderItem | undefined {
  const raw = config.raw.providers?.[id]
  const resolved = config.resolved.providers?.[id]
  const runtime = gw.providers.get(id)
  if (!raw || !resolved || !runtime) return undefined
  const key = resolved.apiKey || undefined
  const ref = raw.apiKey ? refOf(raw.apiKey) : null
  const models = gw.catalog.modelsOf(runtime).map((m) => m.id)
  const headers = Object.fromEntries(
    Object.entries(resolved.headers ?? {}).map(([name, value]) => [name, maskSecret(value)]),
  )
  const listingError = gw.catalog.listingError(id)
  return {
    id,
    type: raw.type,
    baseUrl: raw.baseUrl ? maskedUrl(raw.baseUrl, maskSecret).replace(/\/$/, '') : runtime.ctx.baseUrl,
    hasApiKey: key !== undefined,
    apiKeyMasked: key === undefined ? null : maskSecret(key),
    apiKeySource: raw.apiKey ? (ref?.kind ?? 'plain') : null,
    /** The variable name behind an `env` key, so the UI can say which one to set. */
    apiKeyEnv: ref?.kind === 'env' ? ref.name : null,
    headers,
    configuredModels: raw.models ?? [],
    settings: typeSettings(raw),
    /** Free and counted as local in Overview: the pricing rule's own answer. */
    local: isLocalProvider(resolved),
    /** The provider's own `local:` setting; null when its type's default applies. */
    localSetting: raw.local ?? null,
    modelCount: models.length,
    models,
    listingError: listingError === undefined ? null : scrubUpstreamText(listingError, runtime.ctx),
    health: gw.catalog.health(id),
    circuit: gw.breakers.get(id)?.state ?? 'closed',
  }
}
