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

/** Known secrets shorter than this are not replaced: they would match ordinary words and numbers. */
const MIN_SECRET_CHARS = 8

/**
 * Replaces every configured secret (exact match) and every credential-shaped string (bearer tokens,
 * common provider key shapes) in a text. The same pass serves log rows and upstream error messages.
 */
export function createTextScrubber(secrets: Iterable<string>): (text: string) => string {
  // Longer secrets first, so a secret that contains another is not half-replaced; each also in its
  // JSON-escaped form, as it appears inside serialised bodies.
  const known = [...new Set([...secrets].flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))]
    .filter((s) => s.length >= MIN_SECRET_CHARS)
    .sort((a, b) => b.length - a.length)
  return (text) => {
    for (const s of known) if (text.includes(s)) text = text.replaceAll(s, REDACTED)
    return text.replace(SECRET_TEXT, REDACTED)
  }
}

/**
 * Turns a request or response body into the text stored with its log row: credential fields and
 * credential-shaped strings are replaced, and so is every configured secret (provider and virtual keys)
 * wherever it appears.
 */
export function createBodyScrubber(secrets: Iterable<string>): (body: unknown) => ScrubbedBody | null {
  const scrubText = createTextScrubber(secrets)
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
    text = scrubText(text)
    const isTruncated = text.length > MAX_BODY_CHARS
    return { text: isTruncated ? text.slice(0, MAX_BODY_CHARS) : text, isTruncated }
  }
}
