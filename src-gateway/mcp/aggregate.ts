import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js'
import type { McpPromptInfo, McpResourceInfo, McpResourceTemplateInfo, McpServerStatus, McpToolInfo } from './types.js'

/** The separator of namespaced names: `everything__echo` is server `everything`'s tool `echo`. */
export const NAMESPACE_SEPARATOR = '__'

export const namespaced = (server: string, name: string) => `${server}${NAMESPACE_SEPARATOR}${name}`

export interface Entry<T> {
  server: string
  item: T
}

/**
 * What the endpoint offers, built from the servers that are enabled and ready. Names are looked up in these
 * maps, never split at `__`: tool names may contain `__` and server names may end in `_`.
 */
export interface Catalog {
  tools: Map<string, Entry<McpToolInfo>>
  prompts: Map<string, Entry<McpPromptInfo>>
  /** By URI: resources keep their own URIs, so a client can follow links between them. */
  resources: Map<string, Entry<McpResourceInfo>>
  templates: (Entry<McpResourceTemplateInfo> & { pattern: UriTemplate | undefined })[]
}

const templateOf = (uriTemplate: string): UriTemplate | undefined => {
  try {
    return new UriTemplate(uriTemplate)
  } catch {
    // A template the SDK cannot parse is still listed; reads are routed by the listed resources only.
    return undefined
  }
}

/**
 * Servers are taken in name order, and where two offer the same namespaced name (server `a` with tool
 * `_b` and server `a_` with tool `b` are both `a___b`) or the same resource URI, the first keeps it and the
 * other's is not offered: one name must lead to one server, and the order makes the choice the same on
 * every listing.
 */
export function buildCatalog(statuses: readonly McpServerStatus[]): Catalog {
  const catalog: Catalog = { tools: new Map(), prompts: new Map(), resources: new Map(), templates: [] }
  const live = statuses.filter((s) => s.enabled && s.state === 'ready').sort((a, b) => (a.name < b.name ? -1 : 1))
  const addOnce = <T>(map: Map<string, Entry<T>>, key: string, server: string, item: T) => {
    if (!map.has(key)) map.set(key, { server, item })
  }
  for (const s of live) {
    for (const t of s.tools) addOnce(catalog.tools, namespaced(s.name, t.name), s.name, t)
    for (const p of s.prompts) addOnce(catalog.prompts, namespaced(s.name, p.name), s.name, p)
    for (const r of s.resources) addOnce(catalog.resources, r.uri, s.name, r)
    for (const t of s.resourceTemplates) {
      catalog.templates.push({ server: s.name, item: t, pattern: templateOf(t.uriTemplate) })
    }
  }
  return catalog
}

/** The server a resource URI is read from: a listed resource's, else the first template's that matches it. */
export function resourceServer(catalog: Catalog, uri: string): string | undefined {
  const listed = catalog.resources.get(uri)
  if (listed) return listed.server
  return catalog.templates.find((t) => t.pattern?.match(uri))?.server
}
