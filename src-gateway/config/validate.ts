import type { TSchema } from 'typebox'
import { isPlainObject } from '../core/json-values.js'
import { providerProblems } from '../providers/registry.js'
import { validateCache, validateCacheOverride } from './policies/cache.js'
import { validateGuardrails } from './policies/guardrails.js'
import { validateRedaction, validateRedactionOverride } from './policies/redaction.js'
import { ConfigSchema, type GatewayConfig } from './schema.js'
import { type ConfigProblem, schemaProblems } from './schema-problems.js'
import { workspaceProblems } from './workspaces.js'

export type { ConfigProblem }

interface ObjectSchema {
  properties?: Record<string, TSchema>
  required?: string[]
  additionalProperties?: unknown
}

/**
 * Compiles a schema into a function listing every problem once, each at the field it concerns. Objects
 * are checked field by field, since the compiled checker reports only an object's first failing field.
 */
export function compileProblems(schema: TSchema): (data: unknown) => ConfigProblem[] {
  const flat = schemaProblems(schema)
  const { properties, required = [], additionalProperties } = schema as ObjectSchema
  if (!properties) return flat
  const fields = new Map(Object.entries(properties).map(([k, s]) => [k, compileProblems(s)]))
  return (data) => {
    if (!isPlainObject(data)) return flat(data)
    const out: ConfigProblem[] = []
    for (const key of required) if (data[key] === undefined) out.push({ path: `/${key}`, message: 'is required' })
    for (const [key, value] of Object.entries(data)) {
      const check = fields.get(key)
      if (!check) {
        if (additionalProperties === false) out.push({ path: `/${key}`, message: 'is not a known field' })
        continue
      }
      for (const p of check(value)) out.push({ path: `/${key}${p.path === '/' ? '' : p.path}`, message: p.message })
    }
    return out
  }
}

const configSchemaProblems = compileProblems(ConfigSchema)

/**
 * Everything wrong with a candidate config: schema violations, then references that would only fail at
 * request time (a route target naming a provider that is not configured).
 */
export function configProblems(data: unknown): ConfigProblem[] {
  const problems = configSchemaProblems(data ?? {})
  if (problems.length > 0) return problems
  const cfg = (data ?? {}) as GatewayConfig
  const providers = new Set(Object.keys(cfg.providers ?? {}))
  for (const [id, p] of Object.entries(cfg.providers ?? {})) {
    for (const { field, message } of providerProblems(p)) problems.push({ path: `/providers/${id}/${field}`, message })
  }
  for (const [name, route] of Object.entries(cfg.routes ?? {})) {
    route.targets.forEach((t, i) => {
      const slash = t.model.indexOf('/')
      if (slash <= 0 || !providers.has(t.model.slice(0, slash))) {
        problems.push({
          path: `/routes/${name}/targets/${i}/model`,
          message: `'${t.model}' must be provider/model with a configured provider (${[...providers].join(', ') || 'none configured'})`,
        })
      }
    })
  }
  // Keys are looked up by name (logs, budgets, limits): two keys with one name would share them.
  const names = new Set<string>()
  for (const [i, k] of (cfg.keys ?? []).entries()) {
    if (names.has(k.name)) problems.push({ path: `/keys/${i}/name`, message: `duplicate key name '${k.name}'` })
    names.add(k.name)
    const downgrade = k.budget?.onExceed?.startsWith('downgrade:') ? k.budget.onExceed.slice(10) : undefined
    if (downgrade && !providers.has(downgrade.slice(0, downgrade.indexOf('/')))) {
      problems.push({
        path: `/keys/${i}/budget/onExceed`,
        message: `'${downgrade}' must be provider/model with a configured provider (${[...providers].join(', ') || 'none configured'})`,
      })
    }
  }
  problems.push(...protectionProblems(cfg), ...mcpProblems(cfg), ...workspaceProblems(cfg))
  return problems
}

const STDIO_ONLY = ['args', 'env', 'cwd'] as const
const REMOTE_ONLY = ['transport', 'headers'] as const

/** What the schema cannot say about MCP servers: which fields go together, and names the hub can namespace. */
function mcpProblems(cfg: GatewayConfig): ConfigProblem[] {
  const out: ConfigProblem[] = []
  for (const [name, server] of Object.entries(cfg.mcp?.servers ?? {})) {
    const at = `/mcp/servers/${name}`
    // `__` separates the server from the tool in the names the /mcp endpoint offers (`github__create_issue`).
    if (name.includes('__')) out.push({ path: at, message: "a server name must not contain '__'" })
    const local = server.command !== undefined
    if (local === (server.url !== undefined)) {
      out.push({ path: at, message: 'needs either `command` (a local program) or `url` (a remote server), not both' })
      continue
    }
    for (const f of local ? REMOTE_ONLY : STDIO_ONLY) {
      if (server[f] !== undefined) {
        out.push({
          path: `${at}/${f}`,
          message: `is only for ${local ? 'remote (`url`)' : 'local (`command`)'} servers`,
        })
      }
    }
  }
  return out
}

/** Feature validators report `"<pointer>: <message>"` lines. */
function fromLines(lines: string[]): ConfigProblem[] {
  return lines.map((line) => {
    const at = line.indexOf(': ')
    return at < 0 ? { path: '/', message: line } : { path: line.slice(0, at), message: line.slice(at + 2) }
  })
}

/** What the schema cannot say about redaction, guardrails and cache: regexes, JSON schemas, semantic settings. */
function protectionProblems(cfg: GatewayConfig): ConfigProblem[] {
  const out: ConfigProblem[] = []
  if (cfg.redaction) out.push(...fromLines(validateRedaction(cfg.redaction, '/redaction')))
  if (cfg.cache) out.push(...fromLines(validateCache(cfg.cache, '/cache')))
  out.push(...validateGuardrails(cfg.guardrails, '/guardrails'))
  for (const [name, route] of Object.entries(cfg.routes ?? {})) {
    const at = `/routes/${name}`
    if (route.redaction) out.push(...fromLines(validateRedactionOverride(route.redaction, `${at}/redaction`)))
    if (route.cache) out.push(...fromLines(validateCacheOverride(route.cache, `${at}/cache`, cfg.cache)))
    out.push(...validateGuardrails(route.guardrails, `${at}/guardrails`))
  }
  for (const [i, key] of (cfg.keys ?? []).entries()) {
    if (key.redaction) out.push(...fromLines(validateRedactionOverride(key.redaction, `/keys/${i}/redaction`)))
    if (key.cache) out.push(...fromLines(validateCacheOverride(key.cache, `/keys/${i}/cache`, cfg.cache)))
  }
  return out
}

/** `/providers/x/baseUrl` → `providers.x.baseUrl`, the `param` style of OpenAI error bodies. */
export function pointerToParam(path: string): string {
  return path.replace(/^\//, '').replaceAll('/', '.')
}
