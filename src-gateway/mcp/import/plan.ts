import { sameValue } from '../../config/config-diff.js'
import type { McpServerConfig } from '../../config/schema.js'
import { configProblems } from '../../config/validate.js'
import type { FoundServer } from './discover.js'

// Which of the chosen servers go into `mcp.servers`, and under which names: a name another server has
// gets a suffix, and a server already there with the same settings (the same server set up in two tools,
// or imported before) is not added twice.

export interface PlannedServer {
  found: FoundServer
  name: string
  server: McpServerConfig
}

export interface ImportPlan {
  add: PlannedServer[]
  /** Chosen servers whose exact settings are already in the config (or earlier in this import), by that name. */
  same: { found: FoundServer; as: string }[]
  /** Chosen servers the config would refuse, and why. */
  invalid: { found: FoundServer; problem: string }[]
}

/** The admin API addresses servers by names of at most 64 characters: 60 leaves room for a `-N` suffix. */
const MAX_NAME = 60

/**
 * A server name Switchyard accepts: letters, digits, `.`, `_`, `-`, starting with a letter or digit, no
 * `__` (it separates server from tool in namespaced names) and no trailing `_` (it would make one).
 */
export function validServerName(name: string): string {
  const cleaned = name
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/_{2,}/g, '_')
    .replace(/^[^A-Za-z0-9]+/, '')
  return cleaned === '' ? 'server' : cleaned.slice(0, MAX_NAME).replace(/[_.-]+$/, '')
}

/** Problems the config would report for this one server under this name. */
function serverProblems(name: string, server: McpServerConfig): string[] {
  return configProblems({ mcp: { servers: { [name]: server } } }).map((p) => {
    const at = p.path.replace(`/mcp/servers/${name}`, '').replace(/^\//, '')
    return at ? `${at} ${p.message}` : p.message
  })
}

/**
 * The servers in the config as written and, where they differ, with their secrets resolved: an imported
 * server holds its token in plain text, the config a `${secret:…}` reference to it.
 */
export interface ExistingServers {
  raw: Record<string, McpServerConfig>
  resolved: Record<string, McpServerConfig>
}

/** Plans the import of `chosen` (converted servers only) next to the `existing` servers. */
export function planImport(existing: ExistingServers, chosen: FoundServer[]): ImportPlan {
  const taken = new Map(Object.entries(existing.raw).map(([name, s]) => [name, [s, existing.resolved[name]]]))
  const plan: ImportPlan = { add: [], same: [], invalid: [] }
  for (const found of chosen) {
    if (!found.converted.ok) continue
    const server = found.converted.server
    const twin = [...taken].find(([, forms]) => forms.some((s) => sameValue(s, server)))
    if (twin) {
      plan.same.push({ found, as: twin[0] })
      continue
    }
    const base = validServerName(found.name)
    let name = base
    for (let n = 2; taken.has(name); n++) name = `${base}-${n}`
    const problems = serverProblems(name, server)
    if (problems.length > 0) {
      plan.invalid.push({ found, problem: problems.join('; ') })
      continue
    }
    taken.set(name, [server])
    plan.add.push({ found, name, server })
  }
  return plan
}
