import type { GatewayConfig, McpServerConfig, ProviderConfig, TelemetryConfig } from './schema.js'

/** A `${env:NAME}` or `${secret:NAME}` reference anywhere in a string. */
export const REF = /\$\{(env|secret):([A-Za-z0-9_.-]+)\}/g
const WHOLE_REF = /^\$\{(env|secret):([A-Za-z0-9_.-]+)\}$/
const SECRET_REF = /\$\{secret:([A-Za-z0-9_.-]+)\}/g
/** Whether a string holds a reference at all (REF is global, so `.test` on it would carry state). */
const HAS_REF = /\$\{(env|secret):[A-Za-z0-9_.-]+\}/

/**
 * Query parameters that carry a credential in the URLs of common APIs (`?key=` for Gemini, `?api_key=`,
 * `?access_token=`, Azure's `subscription-key`, signed URLs' `sig`, OAuth's `code`).
 */
const KEY_LIKE_PARAM =
  /(^|[-_.])(key|apikey|token|secret|sig|signature|code|password|passwd|pwd|auth|credential|credentials)$/i
/** scheme://[userinfo@]authority-and-path[?query][#fragment] */
const URL_PARTS = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*@)?([^?#]*)(\?[^#]*)?(#.*)?$/i

export type RefKind = 'env' | 'secret'

/** The reference a config value is made of, or null for a plain value. */
export function refOf(value: string): { kind: RefKind; name: string } | null {
  const m = WHOLE_REF.exec(value)
  return m ? { kind: m[1] as RefKind, name: m[2] } : null
}

export const hasRef = (value: string): boolean => HAS_REF.test(value)

export function secretRef(name: string): string {
  return `\${secret:${name}}`
}

/** Part of a secret-store name taken from a header or parameter name: only what a reference may spell. */
const namePart = (s: string) => s.toLowerCase().replace(/[^a-z0-9_.-]/g, '_')

/** A string of the config in which references resolve: a credential, or a URL that may carry one. */
export interface Slot {
  get(): string | undefined
  set(value: string): void
  /**
   * Whether a `${secret:NAME}` here may resolve: only to this field's own secrets. A provider's header
   * naming another provider's key would otherwise send that key to wherever this provider points.
   */
  owns(secretName: string): boolean
}

/** A place in the config that holds a credential, and the secret-store name its value goes under. */
export interface SecretField extends Slot {
  remove(): void
  secretName: string
}

interface UrlParts {
  scheme: string
  userinfo?: string
  rest: string
  params?: string[]
  fragment: string
}

function splitUrl(url: string): UrlParts | undefined {
  const m = URL_PARTS.exec(url)
  if (!m) return undefined
  return {
    scheme: m[1],
    userinfo: m[2]?.slice(0, -1),
    rest: m[3],
    params: m[4] === undefined ? undefined : m[4].slice(1).split('&'),
    fragment: m[5] ?? '',
  }
}

function joinUrl(p: UrlParts): string {
  const userinfo = p.userinfo ? `${p.userinfo}@` : ''
  const query = p.params?.length ? `?${p.params.join('&')}` : ''
  return `${p.scheme}${userinfo}${p.rest}${query}${p.fragment}`
}

/**
 * The credential parts of a URL held at `slot`: its userinfo and each key-like query parameter's value.
 * Each accessor parses the URL afresh, since sealing one part rewrites the string the others live in.
 */
function urlSecretFields(slot: Slot, prefix: string): SecretField[] {
  const url = slot.get()
  const parts = url === undefined ? undefined : splitUrl(url)
  if (!parts) return []
  const edit = (change: (p: UrlParts) => void) => {
    const now = splitUrl(slot.get() ?? '')
    if (!now) return
    change(now)
    slot.set(joinUrl(now))
  }
  const out: SecretField[] = []
  if (parts.userinfo) {
    out.push({
      get: () => splitUrl(slot.get() ?? '')?.userinfo,
      set: (v) =>
        edit((p) => {
          p.userinfo = v
        }),
      remove: () =>
        edit((p) => {
          p.userinfo = undefined
        }),
      owns: slot.owns,
      secretName: `${prefix}.userinfo`,
    })
  }
  const seen = new Map<string, number>()
  for (const param of parts.params ?? []) {
    const eq = param.indexOf('=')
    const name = eq < 0 ? param : param.slice(0, eq)
    if (eq < 0 || !KEY_LIKE_PARAM.test(name)) continue
    // The n-th parameter of that name, so repeated names each get their own secret.
    const n = seen.get(name) ?? 0
    seen.set(name, n + 1)
    const index = (p: UrlParts) => {
      let k = -1
      return (p.params ?? []).findIndex((q) => q.startsWith(`${name}=`) && ++k === n)
    }
    out.push({
      get: () => {
        const p = splitUrl(slot.get() ?? '')
        const i = p ? index(p) : -1
        return i < 0 ? undefined : p!.params![i].slice(name.length + 1)
      },
      set: (v) =>
        edit((p) => {
          const i = index(p)
          if (i >= 0) p.params![i] = `${name}=${v}`
        }),
      remove: () =>
        edit((p) => {
          const i = index(p)
          if (i >= 0) p.params!.splice(i, 1)
        }),
      owns: slot.owns,
      secretName: `${prefix}.query.${namePart(name)}${n > 0 ? `.${n}` : ''}`,
    })
  }
  return out
}

const field = <T extends object, K extends keyof T & string>(
  obj: T,
  key: K,
  secretName: string,
  owns: (name: string) => boolean = (name) => name === secretName,
): SecretField => ({
  get: () => obj[key] as string | undefined,
  set: (v) => {
    obj[key] = v as T[K]
  },
  remove: () => void delete obj[key],
  owns,
  secretName,
})

/**
 * A provider's credentials: its key, every header value (a custom header name is as likely to carry a
 * token as `Authorization`), and the userinfo and key-like query parameters of its baseUrl. With
 * `wholeUrl`, the baseUrl is one slot instead (for resolving references inside it).
 */
function providerSlots(id: string, p: ProviderConfig, wholeUrl: boolean): SecretField[] {
  const base = `providers.${id}`
  // Any of the provider's own secrets: a header may well carry its key (`Authorization: Bearer ${…apiKey}`).
  const owns = (name: string) =>
    name === `${base}.apiKey` || name.startsWith(`${base}.headers.`) || name.startsWith(`${base}.baseUrl.`)
  const out = [field(p, 'apiKey', `${base}.apiKey`, owns)]
  const headers = (p.headers ?? {}) as Record<string, string>
  for (const h of Object.keys(headers)) out.push(field(headers, h, `${base}.headers.${namePart(h)}`, owns))
  const url = field(p, 'baseUrl', `${base}.baseUrl`, owns)
  if (wholeUrl) out.push(url)
  else out.push(...urlSecretFields(url, `providers.${id}.baseUrl`))
  return out
}

/** The OTLP exporter's credentials: every header value (an API key, `authorization`) and its endpoint's URL parts. */
function otlpSlots(otlp: NonNullable<TelemetryConfig['otlp']>, wholeUrl: boolean): SecretField[] {
  const base = 'telemetry.otlp'
  const owns = (name: string) => name.startsWith(`${base}.headers.`) || name.startsWith(`${base}.endpoint`)
  const headers = (otlp.headers ?? {}) as Record<string, string>
  const out = Object.keys(headers).map((h) => field(headers, h, `${base}.headers.${namePart(h)}`, owns))
  const url = field(otlp, 'endpoint', `${base}.endpoint`, owns)
  if (wholeUrl) out.push(url)
  else out.push(...urlSecretFields(url, `${base}.endpoint`))
  return out
}

/**
 * An MCP server's credentials: every `env` value (a tool server takes its token from its environment, under
 * any name), every header value, and its URL's userinfo and key-like query parameters. `command`, `args` and
 * `cwd` are not credentials: a reference there stays literal, so a config cannot run a secret as a program
 * argument (where `ps` shows it).
 */
export function mcpServerSlots(name: string, s: McpServerConfig, wholeUrl: boolean): SecretField[] {
  const base = `mcp.servers.${name}`
  const owns = (secret: string) => secret.startsWith(`${base}.`)
  const out: SecretField[] = []
  const env = (s.env ?? {}) as Record<string, string>
  for (const v of Object.keys(env)) out.push(field(env, v, `${base}.env.${namePart(v)}`, owns))
  const headers = (s.headers ?? {}) as Record<string, string>
  for (const h of Object.keys(headers)) out.push(field(headers, h, `${base}.headers.${namePart(h)}`, owns))
  if (s.url !== undefined) {
    const url = field(s, 'url', `${base}.url`, owns)
    if (wholeUrl) out.push(url)
    else out.push(...urlSecretFields(url, `${base}.url`))
  }
  return out
}

/** The Redis URL's password (its userinfo) and key-like parameters; the short form `redis: URL` is the same field. */
function redisSlots(cfg: GatewayConfig, wholeUrl: boolean): SecretField[] {
  const base = 'redis.url'
  const owns = (name: string) => name.startsWith(base)
  const url =
    typeof cfg.redis === 'string'
      ? field(cfg as { redis: string }, 'redis', base, owns)
      : field(cfg.redis as { url: string }, 'url', base, owns)
  return wholeUrl ? [url] : urlSecretFields(url, base)
}

/** The Postgres URL's password (its userinfo) and password-like parameters (`?password=…`, `sslpassword`). */
function databaseSlots(cfg: GatewayConfig, wholeUrl: boolean): SecretField[] {
  const url = field(
    cfg as { database: string },
    'database',
    'database',
    (name) => name === 'database' || name.startsWith('database.'),
  )
  return wholeUrl ? [url] : urlSecretFields(url, 'database')
}

/**
 * Every credential field of a config: provider keys, headers and baseUrl credentials, the admin token,
 * the alert webhook, the OTLP exporter's headers and endpoint, the OIDC client secret, virtual keys, MCP
 * servers' env and headers, the Redis URL's password and the Postgres URL's. Setters write into `cfg`,
 * which must be a copy the caller owns.
 */
function fields(cfg: GatewayConfig, wholeUrl: boolean): SecretField[] {
  const out: SecretField[] = []
  for (const [id, p] of Object.entries(cfg.providers ?? {})) out.push(...providerSlots(id, p, wholeUrl))
  if (cfg.server) out.push(field(cfg.server, 'adminToken', 'server.adminToken'))
  // Webhook URLs usually carry their token in the path or query.
  if (cfg.alerts?.webhook !== undefined) out.push(field(cfg.alerts, 'webhook', 'alerts.webhook'))
  if (cfg.telemetry?.otlp) out.push(...otlpSlots(cfg.telemetry.otlp, wholeUrl))
  // Single sign-on's client secret (always a reference: see oidc-schema.ts).
  if (cfg.auth?.oidc) out.push(field(cfg.auth.oidc, 'clientSecret', 'auth.oidc.clientSecret'))
  for (const [i, k] of (cfg.keys ?? []).entries()) {
    const key = k as { name?: unknown; key?: unknown } | null
    if (!key || typeof key.key !== 'string') continue
    const label = typeof key.name === 'string' && /^[A-Za-z0-9_.-]+$/.test(key.name) ? key.name : String(i)
    out.push(field(key as { key: string }, 'key', `keys.${label}.key`))
  }
  for (const [name, s] of Object.entries(cfg.mcp?.servers ?? {})) out.push(...mcpServerSlots(name, s, wholeUrl))
  if (cfg.redis !== undefined) out.push(...redisSlots(cfg, wholeUrl))
  if (cfg.database !== undefined) out.push(...databaseSlots(cfg, wholeUrl))
  return out
}

/** The fields whose values go to the secret store, each under its own name. */
export const secretFields = (cfg: GatewayConfig): SecretField[] => fields(cfg, false)

/**
 * The strings in which `${env:…}` and `${secret:…}` resolve: the credential fields, with a baseUrl as a
 * whole. A reference anywhere else (a key's metadata, a prompt, a route) is literal text, so it cannot
 * be used to read a secret back through the admin API; and a `${secret:…}` resolves only to its own
 * field's secrets (see Slot.owns).
 */
export const credentialSlots = (cfg: GatewayConfig): Slot[] => fields(cfg, true)

/** The credential fields of one provider, for comparing a provider before and after a change. */
export const providerSecretFields = (id: string, p: ProviderConfig): SecretField[] => providerSlots(id, p, false)

const copy = (cfg: GatewayConfig): GatewayConfig => structuredClone(cfg)

/**
 * Moves plain-text credentials out of a raw config: each becomes a `${secret:NAME}` reference and its
 * value is returned for the secret store. The config that is written and exported then holds no key.
 * A value already made of references (`Bearer ${env:TOKEN}`) stays as written.
 */
export function sealPlainSecrets(cfg: GatewayConfig): { raw: GatewayConfig; values: Map<string, string> } {
  const raw = copy(cfg)
  const values = new Map<string, string>()
  for (const f of secretFields(raw)) {
    const v = f.get()
    if (v === undefined || v === '' || hasRef(v)) continue
    values.set(f.secretName, v)
    f.set(secretRef(f.secretName))
  }
  return { raw, values }
}

/**
 * The config as it may leave the machine: with `refs`, credentials stay as references (a plain value,
 * from a hand-edited file, is dropped); with `omit`, every credential field is removed.
 */
export function exportableConfig(cfg: GatewayConfig, secrets: 'refs' | 'omit'): GatewayConfig {
  const raw = copy(cfg)
  for (const f of secretFields(raw)) {
    const v = f.get()
    if (v === undefined) continue
    if (secrets === 'omit' || !hasRef(v)) f.remove()
  }
  return raw
}

/** A URL as the admin API shows it: references stay, a plain userinfo or key-like parameter is masked. */
export function maskedUrl(url: string, mask: (secret: string) => string): string {
  const holder = { url }
  for (const f of urlSecretFields(field(holder, 'url', 'url'), 'url')) {
    const v = f.get()
    if (v && !hasRef(v)) f.set(mask(v))
  }
  return holder.url
}

/** The names of the `${secret:…}` references in one value. */
export const secretNamesIn = (value: string): string[] => [...value.matchAll(SECRET_REF)].map((m) => m[1])

/** Names of every `${secret:…}` the config's credential fields refer to. */
export function referencedSecrets(cfg: GatewayConfig): Set<string> {
  const out = new Set<string>()
  for (const slot of credentialSlots(cfg)) {
    const v = slot.get()
    if (v) for (const name of secretNamesIn(v)) out.add(name)
  }
  return out
}

/**
 * Every credential value a resolved config holds, in the forms it may be echoed in: as configured, URL
 * parts also percent-decoded, a userinfo's password alone and an `Authorization` value's token alone.
 * For scrubbing logs and upstream errors.
 */
export function credentialValues(cfg: GatewayConfig): string[] {
  const out = new Set<string>()
  const add = (v: string | undefined) => {
    if (!v) return
    out.add(v)
    try {
      out.add(decodeURIComponent(v))
    } catch {
      // not percent-encoded after all
    }
  }
  for (const f of secretFields(copy(cfg))) {
    const v = f.get()
    if (!v) continue
    add(v)
    add(/^(bearer|basic|token)\s+(.+)$/i.exec(v)?.[2])
    if (f.secretName.endsWith('.userinfo') && v.includes(':')) add(v.slice(v.indexOf(':') + 1))
  }
  return [...out]
}
