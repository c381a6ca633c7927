import type {
  McpRemoteTransport,
  McpServerInput,
  McpServerItem,
  McpTestBody,
} from '../../../../src-shared/contract/mcp'

/** One env variable or header row; `stored` is the masked value the gateway keeps for it (an edit's existing row). */
export interface ValueRow {
  name: string
  value: string
  stored?: string
  /** The references it is written with (`${env:TOKEN}`), to say where the value comes from. */
  ref?: string | null
}

/** The add/edit form's fields as typed: lists as text, one entry a line (args) or separated by commas (confirm). */
export interface ServerDraft {
  name: string
  kind: 'stdio' | 'remote'
  command: string
  args: string
  cwd: string
  env: ValueRow[]
  url: string
  transport: McpRemoteTransport
  headers: ValueRow[]
  confirm: string
  enabled: boolean
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const HEADER_NAME = /^[A-Za-z0-9-]+$/

const rowsOf = (values: McpServerItem['env']): ValueRow[] =>
  Object.entries(values).map(([name, v]) => ({ name, value: '', stored: v.masked, ref: v.ref }))

export function draftOf(item: McpServerItem | null): ServerDraft {
  return {
    name: item?.name ?? '',
    kind: item?.kind ?? 'stdio',
    command: item?.command ?? '',
    args: item?.args.join('\n') ?? '',
    cwd: item?.cwd ?? '',
    env: item ? rowsOf(item.env) : [],
    url: item?.url ?? '',
    transport: item?.transport ?? 'auto',
    headers: item ? rowsOf(item.headers) : [],
    confirm: item?.confirm.join(', ') ?? '',
    enabled: item?.enabled ?? true,
  }
}

/**
 * Rows as the API takes them: a row left empty that the gateway already holds sends back its masked value, which
 * the gateway reads as "unchanged"; a typed value replaces it. Rows without a name are ignored.
 */
function valuesOf(rows: ValueRow[]): Record<string, string> | null {
  const named = rows.filter((r) => r.name.trim())
  if (named.length === 0) return null
  return Object.fromEntries(named.map((r) => [r.name.trim(), r.value === '' && r.stored ? r.stored : r.value]))
}

const listOf = (text: string, separator: RegExp) =>
  text
    .split(separator)
    .map((s) => s.trim())
    .filter(Boolean)

/** What is wrong with the draft, by field id (`name`, `command`, `url`, `env.0`, `headers.1`). */
export function draftErrors(d: ServerDraft, existing: string[], editing: boolean): Record<string, string> {
  const e: Record<string, string> = {}
  if (!editing) {
    if (!NAME.test(d.name)) e.name = 'Use letters, digits, dot, dash or underscore, starting with a letter or digit.'
    else if (existing.includes(d.name)) e.name = `A server named "${d.name}" exists already.`
  }
  if (d.kind === 'stdio' && !d.command.trim()) e.command = 'The program to run, e.g. npx or a full path.'
  if (d.kind === 'remote' && !/^https?:\/\/\S+$/.test(d.url.trim())) e.url = 'Start with http:// or https://.'
  const rows = d.kind === 'stdio' ? d.env : d.headers
  const pattern = d.kind === 'stdio' ? ENV_NAME : HEADER_NAME
  const prefix = d.kind === 'stdio' ? 'env' : 'headers'
  const seen = new Set<string>()
  rows.forEach((r, i) => {
    const name = r.name.trim()
    if (!name) return
    if (!pattern.test(name)) {
      e[`${prefix}.${i}`] =
        d.kind === 'stdio' ? 'A variable name: letters, digits, underscore.' : 'A header name: letters, digits, dash.'
    } else if (seen.has(name)) e[`${prefix}.${i}`] = `"${name}" is given twice.`
    else if (r.value === '' && !r.stored) e[`${prefix}.${i}`] = 'Give a value, or remove the row.'
    seen.add(name)
  })
  return e
}

/**
 * The body of POST or PUT: every field the form shows, the other kind's fields and emptied ones as `null` (so an
 * edit that switches a server from local to remote leaves no command behind).
 */
export function inputOf(d: ServerDraft): McpServerInput {
  const confirm = listOf(d.confirm, /[\s,]+/)
  const common = { name: d.name.trim(), enabled: d.enabled, confirm: confirm.length ? confirm : null }
  if (d.kind === 'stdio') {
    const args = listOf(d.args, /\n/)
    return {
      ...common,
      command: d.command.trim(),
      args: args.length ? args : null,
      cwd: d.cwd.trim() || null,
      env: valuesOf(d.env),
      url: null,
      transport: null,
      headers: null,
    }
  }
  return {
    ...common,
    url: d.url.trim(),
    transport: d.transport,
    headers: valuesOf(d.headers),
    command: null,
    args: null,
    cwd: null,
    env: null,
  }
}

/** The Test body: the draft as it stands; with a saved server's name, masked values stand for its stored ones. */
export function testBodyOf(d: ServerDraft, editing: boolean): McpTestBody {
  const { name, ...rest } = inputOf(d)
  return editing ? { name, ...rest } : rest
}
