import type { McpKeyAccess } from '../../src-shared/contract/keys.js'
import type { VirtualKeyConfig } from '../config/schema.js'
import type { CallerIdentity } from '../pipeline/call.js'
import { compileGlob } from '../policies/glob.js'

/** What one caller of `/mcp` may see and call. Names are the namespaced ones the client sees (`server__tool`). */
export interface McpAccess {
  /** Who is asking, for refusal messages: `key 'ci'`, `the admin`, `a caller without a key`. */
  readonly who: string
  /** The key's name when a key called; what the call log records. */
  readonly keyName?: string
  tool(namespaced: string): boolean
  prompt(namespaced: string): boolean
  /** Whether the resources and resource templates of this server may be listed and read. */
  resourcesOf(server: string): boolean
  /** May call tools their server marks `confirm`. */
  readonly confirmed: boolean
}

const ALL = () => true
const NONE = () => false

/**
 * Without keys (a loopback gateway in open mode) everything is listed, but nobody has confirmed anything:
 * tools marked `confirm` are refused until a key with `mcp.confirmed` calls them.
 */
const OPEN: McpAccess = { who: 'a caller without a key', tool: ALL, prompt: ALL, resourcesOf: ALL, confirmed: false }

/** The admin (token or web UI session) set the `confirm` marks; the Playground asks per call. */
const ADMIN: McpAccess = { who: 'the admin', tool: ALL, prompt: ALL, resourcesOf: ALL, confirmed: true }

const matcher = (globs: string[] | undefined) => {
  if (!globs || globs.length === 0) return NONE
  const ms = globs.map(compileGlob)
  return (name: string) => ms.some((m) => m(name))
}

/** Compiled once per key config object: a config change brings new objects, and the old ones are dropped. */
const compiled = new WeakMap<object, McpAccess>()

function keyAccess(name: string, mcp: McpKeyAccess | undefined): McpAccess {
  return {
    who: `key '${name}'`,
    keyName: name,
    tool: matcher(mcp?.tools),
    prompt: matcher(mcp?.prompts),
    resourcesOf: matcher(mcp?.resources),
    confirmed: mcp?.confirmed === true,
  }
}

/**
 * What `identity` may reach through `/mcp`, read from the keys config in force. A key without an `mcp` block
 * reaches nothing: keys made for model calls must not gain shell or filesystem tools when a server is added.
 * A key removed since it authenticated reaches nothing either.
 */
export function mcpAccessFor(identity: CallerIdentity, keys: readonly VirtualKeyConfig[] | undefined): McpAccess {
  if (identity.kind === 'admin') return ADMIN
  if (identity.kind !== 'key') return OPEN
  const cfg = keys?.find((k) => k.name === identity.name)
  if (!cfg) return keyAccess(identity.name, undefined)
  let access = compiled.get(cfg)
  if (!access) {
    access = keyAccess(cfg.name, cfg.mcp)
    compiled.set(cfg, access)
  }
  return access
}
