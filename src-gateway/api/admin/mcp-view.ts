import type {
  McpPrompt,
  McpResource,
  McpServerItem,
  McpServerStatus,
  McpTool,
  McpValueView,
} from '../../../src-shared/contract/mcp.js'
import type { LoadedConfig } from '../../config/load.js'
import { maskSecret } from '../../config/mask.js'
import { hasRef, maskedUrl, refOf } from '../../config/secret-fields.js'
import type { McpHub } from '../../mcp/hub.js'
import type { McpPromptInfo, McpResourceInfo, McpToolInfo } from '../../mcp/types.js'

/**
 * One env or header value as the admin API shows it: masked from its resolved value, and the references it is
 * written with (a name, never a value). `source` says where the value lives: the gateway's secret store, an
 * environment variable, or the file itself.
 */
function valueView(raw: string, resolved: string | undefined): McpValueView {
  const ref = refOf(raw)
  const written = hasRef(raw)
  return {
    masked: maskSecret(resolved ?? ''),
    source: ref?.kind ?? (written ? (raw.includes('${secret:') ? 'secret' : 'env') : 'plain'),
    ref: written ? raw : null,
  }
}

const valuesView = (raw: Record<string, string> | undefined, resolved: Record<string, string> | undefined) =>
  Object.fromEntries(Object.entries(raw ?? {}).map(([k, v]) => [k, valueView(v, resolved?.[k])]))

/** A field of the hub's answer, only when it has a value (the contract's optional fields are absent, not null). */
const given = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>

/** What the page lists of a tool: not its schemas (a server's input schemas can be large). */
export const toolView = (t: McpToolInfo): McpTool => ({
  name: t.name,
  ...given('title', t.title),
  ...given('description', t.description),
  needsConfirmation: t.needsConfirmation,
})

export const promptView = (p: McpPromptInfo): McpPrompt => ({
  name: p.name,
  ...given('title', p.title),
  ...given('description', p.description),
  ...given(
    'arguments',
    p.arguments?.map((a) => ({
      name: a.name,
      ...given('description', a.description),
      ...given('required', a.required),
    })),
  ),
})

export const resourceView = (r: McpResourceInfo): McpResource => ({
  uri: r.uri,
  ...given('name', r.name),
  ...given('title', r.title),
  ...given('description', r.description),
  ...given('mimeType', r.mimeType),
})

/** The hub's status as the contract states it. */
function statusView(hub: McpHub, name: string, enabled: boolean, remote: boolean): McpServerStatus {
  const s = hub.statusOf(name)
  if (!s) {
    // Not applied to the hub yet (a config change lands on the next tick): say what it will be.
    return {
      state: enabled ? 'starting' : 'disabled',
      transport: remote ? 'streamable-http' : 'stdio',
      tools: [],
      prompts: [],
      resources: [],
      errors: [],
      stderrTail: [],
      restarts: 0,
      connectedAt: null,
      serverInfo: null,
    }
  }
  return {
    state: s.state,
    transport: s.transport,
    tools: s.tools.map(toolView),
    prompts: s.prompts.map(promptView),
    resources: s.resources.map(resourceView),
    errors: s.errors,
    stderrTail: s.stderrTail,
    restarts: s.restarts,
    connectedAt: s.connectedAt ?? null,
    serverInfo: s.serverInfo ?? null,
  }
}

/** The admin API's view of one MCP server: its config as written with every env and header value masked, and its state. */
export function mcpServerItem(name: string, config: LoadedConfig, hub: McpHub): McpServerItem | undefined {
  const raw = config.raw.mcp?.servers?.[name]
  if (!raw) return undefined
  const resolved = config.resolved.mcp?.servers?.[name]
  const enabled = raw.enabled !== false
  const remote = raw.url !== undefined
  return {
    name,
    kind: remote ? 'remote' : 'stdio',
    enabled,
    command: raw.command ?? null,
    args: raw.args ?? [],
    cwd: raw.cwd ?? null,
    env: valuesView(raw.env, resolved?.env),
    url: raw.url ? maskedUrl(raw.url, maskSecret) : null,
    transport: raw.url ? (raw.transport ?? 'auto') : null,
    headers: valuesView(raw.headers, resolved?.headers),
    confirm: raw.confirm ?? [],
    callTimeoutMs: raw.callTimeoutMs ?? null,
    status: statusView(hub, name, enabled, remote),
  }
}
