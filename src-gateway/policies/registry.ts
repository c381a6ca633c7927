import type { TSchema } from 'typebox'
import { maxParallel } from './max-parallel/index.js'
import type { Policy, PolicyScope, PolicyStage } from './policy.js'

/**
 * The policies beyond the built-in stages, in the order their stages run. Adding one is its own folder plus
 * one line here: its config fields join the key and route schemas (config/schema.ts), its settings are
 * compiled per route and key with the others (policies/protection.ts), and its stage runs after the
 * built-in ones (pipeline/stages.ts). config/ imports this module, so a policy imports only core/.
 */
const POLICIES: readonly Policy[] = [maxParallel]

const fieldsOf = (pick: (p: Policy) => Record<string, TSchema>) => Object.assign({}, ...POLICIES.map(pick))

/** The fields the policies add to a client key (`keys[]`) and to a route (`routes.*`), spread into their schemas. */
export const POLICY_KEY_FIELDS: Record<string, TSchema> = fieldsOf((p) => p.keyFields)
export const POLICY_ROUTE_FIELDS: Record<string, TSchema> = fieldsOf((p) => p.routeFields)

export const POLICY_STAGES: readonly PolicyStage[] = POLICIES.map((p) => p.stage)

/** A key's or a route's config entry. */
type Entry = Record<string, unknown>

const KEY_FIELD_NAMES = Object.keys(POLICY_KEY_FIELDS)
const ROUTE_FIELD_NAMES = Object.keys(POLICY_ROUTE_FIELDS)
const setsAny = (entry: Entry, names: string[]) => names.some((n) => entry[n] !== undefined)

/** Whether any key or route sets a policy's field: without one, calls skip the policies altogether. */
export function policiesConfigured(keys: readonly Entry[], routes: readonly Entry[]): boolean {
  return keys.some((k) => setsAny(k, KEY_FIELD_NAMES)) || routes.some((r) => setsAny(r, ROUTE_FIELD_NAMES))
}

/**
 * Each policy's settings for calls made with this key to this route, by policy name; undefined when no
 * policy has anything to do for them. The entries are validated config, and the config schema holds every
 * policy's fields, so each policy may read its own.
 */
export function policySettings(scope: PolicyScope<Entry, Entry>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {}
  let any = false
  for (const policy of POLICIES) {
    const settings = policy.settings(scope)
    if (settings === undefined) continue
    out[policy.name] = settings
    any = true
  }
  return any ? out : undefined
}

/** The policies' metric families of one gateway, appended to `/metrics`. */
export function renderPolicyMetrics(gw: object): string {
  let out = ''
  for (const policy of POLICIES) out += policy.metrics?.(gw) ?? ''
  return out
}
