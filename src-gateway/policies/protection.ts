import { type CacheSettings, cacheSettings } from '../config/policies/cache.js'
import { mergeRedaction } from '../config/policies/redaction.js'
import type { GatewayConfig } from '../config/schema.js'
import { compileGuardrails, type Guardrails } from './guardrails/engine.js'
import { createRedactor, type Redactor } from './redaction/redactor.js'
import { policiesConfigured, policySettings } from './registry.js'

/** What protects and limits one call on its way out and back. Absent parts cost the call nothing. */
export interface CallProtection {
  redactor?: Redactor
  guardrails?: Guardrails
  cache?: CacheSettings
  /** The registered policies' settings (policies/registry.ts), by policy name. */
  policies?: Readonly<Record<string, unknown>>
}

const NONE: CallProtection = {}

/**
 * Redaction, guardrails and cache settings per (route, key): the gateway's sections, a route's
 * overrides, then a key's. Compiled once per pair and kept until the config changes, so the hot path
 * only does a map lookup.
 */
export class Protection {
  private config!: GatewayConfig
  private readonly compiled = new Map<string, CallProtection>()
  /** Whether any section exists at all: most gateways have none, and then calls skip the lookup. */
  private configured = false

  constructor(config: GatewayConfig) {
    this.apply(config)
  }

  apply(config: GatewayConfig): void {
    this.config = config
    this.compiled.clear()
    const routes = Object.values(config.routes ?? {})
    this.configured =
      config.redaction !== undefined ||
      config.cache !== undefined ||
      config.guardrails !== undefined ||
      routes.some((r) => r.redaction || r.cache || r.guardrails) ||
      (config.keys ?? []).some((k) => k.redaction || k.cache) ||
      policiesConfigured(config.keys ?? [], routes)
  }

  /** What protects a call for `model` (the route's settings when it names a route alias) made with `keyName`. */
  forCall(model: string | undefined, keyName: string | undefined): CallProtection {
    if (!this.configured) return NONE
    const route = model !== undefined && Object.hasOwn(this.config.routes ?? {}, model) ? model : undefined
    const id = `${route ?? ''}\u0000${keyName ?? ''}`
    let p = this.compiled.get(id)
    if (!p) {
      p = this.compile(route, keyName)
      this.compiled.set(id, p)
    }
    return p
  }

  private compile(routeName: string | undefined, keyName: string | undefined): CallProtection {
    const { config } = this
    const route = routeName === undefined ? undefined : config.routes?.[routeName]
    const key = keyName === undefined ? undefined : config.keys?.find((k) => k.name === keyName)
    const redaction = mergeRedaction(mergeRedaction(config.redaction, route?.redaction), key?.redaction)
    const redactor = redaction && redaction.mode !== 'off' ? createRedactor(redaction) : undefined
    const guardrailsConfig = route?.guardrails ?? config.guardrails
    const guardrails =
      guardrailsConfig && (guardrailsConfig.input?.length || guardrailsConfig.output?.length)
        ? compileGuardrails(guardrailsConfig)
        : undefined
    const cache = cacheSettings(config.cache, route?.cache, key?.cache)
    const policies = policySettings({
      key: key && { name: key.name, config: key },
      route: route && { name: routeName!, config: route },
    })
    if (!redactor && !guardrails && !cache && !policies) return NONE
    return { redactor, guardrails, cache, policies }
  }
}
