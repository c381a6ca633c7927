import type { GatewayConfig } from './schema.js'

/** Header names whose values are credentials (the same set the log scrubber removes). */
const SECRET_HEADER = /^(authorization|proxy-authorization|x-api-key|x-goog-api-key|api[-_]?key)$/i
const WHOLE_REF = /^\$\{(env|secret):([A-Za-z0-9_.-]+)\}$/
const SECRET_REF = /\$\{secret:([A-Za-z0-9_.-]+)\}/g

export type RefKind = 'env' | 'secret'

/** The reference a config value is made of, or null for a plain value. */
export function refOf(value: string): { kind: RefKind; name: string } | null {
  const m = WHOLE_REF.exec(value)
  return m ? { kind: m[1] as RefKind, name: m[2] } : null
}

export function secretRef(name: string): string {
  return `\${secret:${name}}`
}

/** A place in the config that holds a credential, and the secret-store name its value goes under. */
interface SecretField {
  get(): string | undefined
  set(value: string): void
  remove(): void
  secretName: string
}

/**
 * Every credential field of a raw config: provider keys and credential headers, the admin token and
 * virtual keys. Setters write into `cfg`, which must be a copy the caller owns.
 */
function secretFields(cfg: GatewayConfig): SecretField[] {
  const out: SecretField[] = []
  for (const [id, p] of Object.entries(cfg.providers ?? {})) {
    out.push({
      get: () => p.apiKey,
      set: (v) => {
        p.apiKey = v
      },
      remove: () => void delete p.apiKey,
      secretName: `providers.${id}.apiKey`,
    })
    for (const h of Object.keys(p.headers ?? {})) {
      if (!SECRET_HEADER.test(h)) continue
      const headers = p.headers as Record<string, string>
      out.push({
        get: () => headers[h],
        set: (v) => {
          headers[h] = v
        },
        remove: () => void delete headers[h],
        secretName: `providers.${id}.headers.${h.toLowerCase()}`,
      })
    }
  }
  const server = cfg.server
  if (server) {
    out.push({
      get: () => server.adminToken,
      set: (v) => {
        server.adminToken = v
      },
      remove: () => void delete server.adminToken,
      secretName: 'server.adminToken',
    })
  }
  // Webhook URLs usually carry their token in the path or query.
  const alerts = cfg.alerts
  if (alerts?.webhook !== undefined) {
    out.push({
      get: () => alerts.webhook,
      set: (v) => {
        alerts.webhook = v
      },
      remove: () => void delete alerts.webhook,
      secretName: 'alerts.webhook',
    })
  }
  for (const [i, k] of (cfg.keys ?? []).entries()) {
    const key = k as { name?: unknown; key?: unknown } | null
    if (!key || typeof key.key !== 'string') continue
    const label = typeof key.name === 'string' && /^[A-Za-z0-9_.-]+$/.test(key.name) ? key.name : String(i)
    out.push({
      get: () => key.key as string,
      set: (v) => {
        key.key = v
      },
      remove: () => void delete key.key,
      secretName: `keys.${label}.key`,
    })
  }
  return out
}

const copy = (cfg: GatewayConfig): GatewayConfig => structuredClone(cfg)

/**
 * Moves plain-text credentials out of a raw config: each becomes a `${secret:NAME}` reference and its
 * value is returned for the secret store. The config that is written and exported then holds no key.
 */
export function sealPlainSecrets(cfg: GatewayConfig): { raw: GatewayConfig; values: Map<string, string> } {
  const raw = copy(cfg)
  const values = new Map<string, string>()
  for (const f of secretFields(raw)) {
    const v = f.get()
    if (v === undefined || v === '' || refOf(v)) continue
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
    if (secrets === 'omit' || !refOf(v)) f.remove()
  }
  return raw
}

/** Names of every `${secret:…}` the config refers to, anywhere in it. */
export function referencedSecrets(cfg: GatewayConfig): Set<string> {
  const out = new Set<string>()
  const text = JSON.stringify(cfg)
  for (const m of text.matchAll(SECRET_REF)) out.add(m[1])
  return out
}
