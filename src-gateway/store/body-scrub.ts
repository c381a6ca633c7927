/** A stored body larger than this is cut: base64 images would otherwise dominate the database. */
export const MAX_BODY_CHARS = 256 * 1024

const SECRET_NAMES = 'authorization|proxy-authorization|x-api-key|x-goog-api-key|api[-_]?key|access[-_]?token|cookie'
const SECRET_KEY = new RegExp(`^(${SECRET_NAMES})$`, 'i')
/** A JSON object key that names a credential, as it appears in serialised text. */
const SECRET_KEY_IN_JSON = new RegExp(`"(${SECRET_NAMES})"\\s*:`, 'i')
// Credentials that may sit inside free text: bearer tokens and the key shapes of common providers.
// One alternation, so each body is scanned once.
const SECRET_TEXT =
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}|\bsk-[A-Za-z0-9_-]{16,}|\bAIza[0-9A-Za-z_-]{30,}|\bgsk_[A-Za-z0-9]{20,}/g
const REDACTED = '[redacted]'

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

export interface ScrubbedBody {
  text: string
  isTruncated: boolean
}

/**
 * Turns a request or response body into the text stored with its log row: credential fields and
 * credential-shaped strings are replaced, and so is every configured secret (provider and virtual keys)
 * wherever it appears.
 */
export function createBodyScrubber(secrets: Iterable<string>): (body: unknown) => ScrubbedBody | null {
  // Replace longer secrets first so a secret that contains another is not half-replaced.
  const known = [...new Set(secrets)]
    .filter((s) => s.length >= 8)
    .sort((a, b) => b.length - a.length)
    .map((s) => JSON.stringify(s).slice(1, -1))
  return (body) => {
    if (body === undefined || body === null) return null
    let text = typeof body === 'string' ? body : JSON.stringify(body)
    if (text === undefined) return null
    // A replacer function costs a call per key; pay it only for bodies that have a credential-named key.
    // Raw JSON text (what clients sent) is parsed for it too.
    if (SECRET_KEY_IN_JSON.test(text)) {
      const value = typeof body === 'string' ? parseJson(text) : body
      if (value !== undefined) text = JSON.stringify(value, (k, v) => (k && SECRET_KEY.test(k) ? REDACTED : v))
    }
    for (const s of known) if (text.includes(s)) text = text.replaceAll(s, REDACTED)
    text = text.replace(SECRET_TEXT, REDACTED)
    const isTruncated = text.length > MAX_BODY_CHARS
    return { text: isTruncated ? text.slice(0, MAX_BODY_CHARS) : text, isTruncated }
  }
}

/** Every secret the resolved config holds: provider keys and credential headers, and virtual keys. */
export function configSecrets(config: {
  providers?: Record<string, { apiKey?: string; headers?: Record<string, string> }>
  keys?: unknown[]
}): string[] {
  const out: string[] = []
  for (const p of Object.values(config.providers ?? {})) {
    if (p.apiKey) out.push(p.apiKey)
    for (const [name, v] of Object.entries(p.headers ?? {})) if (SECRET_KEY.test(name)) out.push(v)
  }
  for (const k of config.keys ?? []) {
    const key = (k as { key?: unknown } | null)?.key
    if (typeof key === 'string' && key) out.push(key)
  }
  return out
}
