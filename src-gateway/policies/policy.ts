import type { Static, TObject, TProperties } from 'typebox'
import type { LogEvent } from '../core/log-event.js'

/**
 * What a registered policy's stage sees of a chat call: the part of the pipeline's CallState it may read,
 * stated here so a policy depends on core/ only. config/ reads the registry for the policies' config
 * fields, so a policy that reached config/ or pipeline/ would close an import circle (`npm run lint:deps`).
 */
export interface PolicyCallState {
  /** The gateway the call runs in: a policy keeps its per-gateway state (counters) keyed by it. */
  readonly gw: object
  readonly event: LogEvent
  /** Each registered policy's settings for this call's route and key, by policy name (policies/protection.ts). */
  readonly protect: { readonly policies?: Readonly<Record<string, unknown>> }
}

/**
 * A policy's place in the chat pipeline (a subset of pipeline/stage.ts's Stage): `before` runs after the
 * built-in stages (the key is admitted, the route planned, the cache missed) and may refuse the call by
 * throwing a GatewayError; once `before` has returned, `finally` runs when the call ends, however it ends
 * (answered, failed, caller gone, timed out, gateway shutting down).
 */
export interface PolicyStage {
  readonly name: string
  before?(state: PolicyCallState): void | Promise<void>
  finally?(state: PolicyCallState): void
}

/** The config entries one call is made under: its client key and the route it named, with their names. */
export interface PolicyScope<Key, Route> {
  key?: { name: string; config: Key }
  route?: { name: string; config: Route }
}

/**
 * One policy: the fields it adds to a client key and to a route in the config (TypeBox, each optional),
 * what it makes of them for one call, and its stage. Registered with one line in policies/registry.ts.
 */
export interface Policy<
  Key extends TProperties = TProperties,
  Route extends TProperties = TProperties,
  Settings = unknown,
> {
  /** Also the key of its settings in `protect.policies`. */
  readonly name: string
  readonly keyFields: Key
  readonly routeFields: Route
  /** Its settings for calls in `scope`; undefined when it has nothing to do for them (they then pay nothing). */
  settings(scope: PolicyScope<Static<TObject<Key>>, Static<TObject<Route>>>): Settings | undefined
  readonly stage: PolicyStage
  /** Its metric families for `/metrics` in one gateway (`gw`, as in PolicyCallState), in Prometheus text. */
  metrics?(gw: object): string
}

/** A policy's own settings for a call, as `settings` made them. */
export function settingsOf<Settings>(policy: Pick<Policy, 'name'>, state: PolicyCallState): Settings | undefined {
  return state.protect.policies?.[policy.name] as Settings | undefined
}
