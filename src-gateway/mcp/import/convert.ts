import type { McpServerConfig } from '../../config/schema.js'
import { isPlainObject } from '../../core/json-values.js'

// One server entry as another tool writes it, turned into Switchyard's `mcp.servers` entry. The tools
// agree on command/args/env and url/headers; they differ in how they spell the transport (`type`) and
// their variables: Claude Code expands `${VAR}` (and `${VAR:-default}`), Cursor and VS Code `${env:VAR}`,
// VS Code also `${input:…}` (asked for at start) and `${workspaceFolder}`/`${userHome}`. A server
// whose variables cannot be carried over is not imported, and the reason is shown.

export type Converted = { ok: true; server: McpServerConfig } | { ok: false; reason: string }

/** What the folders a path variable names are, for the entry at hand. */
export interface Folders {
  home: string
  /** The project the entry belongs to, when it comes from a project's file. */
  project?: string
}

class NotImportable extends Error {}

const VARIABLE = /\$\{([^}]*)\}/g

/**
 * A value where Switchyard resolves references (an env or header value, a url): `${env:X}` stays, Claude
 * Code's `${X}` becomes `${env:X}`; anything else cannot be resolved by Switchyard.
 */
function credentialValue(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new NotImportable(`${what} is not a string`)
  return value.replace(VARIABLE, (whole, inner: string) => {
    if (/^env:[A-Za-z_][A-Za-z0-9_]*$/.test(inner)) return whole
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(inner)) return `\${env:${inner}}`
    throw new NotImportable(`${what} uses ${whole}, which only the tool it comes from can fill in`)
  })
}

/** A value where nothing is resolved at run time (command, args, cwd): folder variables are filled in now. */
function literalValue(value: unknown, what: string, folders: Folders): string {
  if (typeof value !== 'string') throw new NotImportable(`${what} is not a string`)
  return value.replace(VARIABLE, (whole, inner: string) => {
    if (inner === 'userHome') return folders.home
    if (inner === 'workspaceFolder' && folders.project) return folders.project
    throw new NotImportable(`${what} uses ${whole}, which Switchyard does not expand there`)
  })
}

function stringMap(value: unknown, what: string): Record<string, string> | undefined {
  if (value === undefined) return undefined
  if (!isPlainObject(value)) throw new NotImportable(`${what} is not an object`)
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(value)) out[k] = credentialValue(v, `${what}.${k}`)
  return Object.keys(out).length > 0 ? out : undefined
}

const URL_TYPES: Record<string, McpServerConfig['transport']> = {
  http: 'streamable-http',
  'streamable-http': 'streamable-http',
  streamableHttp: 'streamable-http',
  sse: 'sse',
}

function convertOrThrow(entry: unknown, folders: Folders): McpServerConfig {
  if (!isPlainObject(entry)) throw new NotImportable('the entry is not an object')
  const type = entry.type
  if (type !== undefined && typeof type !== 'string') throw new NotImportable('`type` is not a string')
  const enabled = entry.disabled === true ? { enabled: false } : {}
  if (typeof entry.url === 'string' || (type !== undefined && type !== 'stdio')) {
    const transport = type === undefined ? 'auto' : URL_TYPES[type]
    if (!transport) throw new NotImportable(`transport type '${type}' is not one Switchyard speaks`)
    if (typeof entry.url !== 'string') throw new NotImportable('it has no url')
    const headers = stringMap(entry.headers, 'headers')
    return {
      // References resolve in a url (its credentials are secret fields), so `${VAR}` carries over as in env.
      url: credentialValue(entry.url, 'url'),
      ...(transport !== 'auto' && { transport }),
      ...(headers && { headers }),
      ...enabled,
    }
  }
  if (typeof entry.command !== 'string' || entry.command === '') throw new NotImportable('it has no command')
  if (entry.envFile !== undefined) throw new NotImportable('it reads an envFile, which Switchyard does not')
  if (entry.args !== undefined && !Array.isArray(entry.args)) throw new NotImportable('args is not a list')
  const args = (entry.args ?? []).map((a: unknown, i: number) => literalValue(a, `args[${i}]`, folders))
  const env = stringMap(entry.env, 'env')
  const cwd = entry.cwd === undefined ? undefined : literalValue(entry.cwd, 'cwd', folders)
  return {
    command: literalValue(entry.command, 'command', folders),
    ...(args.length > 0 && { args }),
    ...(env && { env }),
    ...(cwd && { cwd }),
    ...enabled,
  }
}

/** The entry as a Switchyard server, or why it cannot be one. */
export function convertServer(entry: unknown, folders: Folders): Converted {
  try {
    return { ok: true, server: convertOrThrow(entry, folders) }
  } catch (err) {
    if (err instanceof NotImportable) return { ok: false, reason: err.message }
    throw err
  }
}
