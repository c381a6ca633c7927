import { editStrings } from './json-walk.js'

/** Placeholder (`[EMAIL_1]`) → the original it stands for, for one call redacted reversibly. */
export type Vault = ReadonlyMap<string, string>

export interface RestoreOptions {
  /** The text is JSON (tool-call arguments): originals with quotes or control characters are escaped. */
  json?: boolean
}

const PLACEHOLDER = /\[[A-Z][A-Z0-9_]*_\d+\]/g

/**
 * An original put back inside a JSON string. Only quotes and control characters (a PEM block's line
 * breaks) are escaped: a backslash in an original means it was found in JSON text, already escaped.
 */
function escapedForJson(original: string): string {
  for (let i = 0; i < original.length; i++) {
    const c = original.charCodeAt(i)
    if (c < 0x20 || c === 0x22) return JSON.stringify(original).slice(1, -1)
  }
  return original
}

/** Puts the originals back in place of the vault's placeholders; other bracketed text stays as it is. */
export function restoreText(text: string, vault: Vault, options?: RestoreOptions): string {
  if (vault.size === 0 || !text.includes('[')) return text
  return text.replace(PLACEHOLDER, (p) => {
    const original = vault.get(p)
    if (original === undefined) return p
    return options?.json ? escapedForJson(original) : original
  })
}

/** Opaque fields: signatures, encrypted reasoning, base64 data. */
const OPAQUE_KEYS = new Set(['signature', 'data', 'encrypted_content'])

/**
 * The text of an Anthropic thinking block is signed: it must go back byte for byte as the model wrote
 * it (placeholders included), or the next turn is refused.
 */
const isSignedThinking = (key: string, parent: Record<string, unknown>) =>
  key === 'thinking' && parent.type === 'thinking'

/**
 * `restoreText` over every string of a JSON value (a whole response, any dialect), copy-on-write.
 * `arguments` strings are JSON (OpenAI tool calls) and get JSON-safe originals.
 */
export function restoreDeep<T>(value: T, vault: Vault): T {
  if (vault.size === 0) return value
  return editStrings(
    value,
    (text, key) => restoreText(text, vault, { json: key === 'arguments' }),
    (key, field, parent) => typeof field === 'string' && (OPAQUE_KEYS.has(key) || isSignedThinking(key, parent)),
  ) as T
}

export interface StreamRestorer {
  /** Takes the next delta; answers the text that can go out now, originals restored. */
  push(delta: string): string
  /** The stream ended: answers whatever is still held back, unchanged (it was no placeholder). */
  flush(): string
}

/**
 * Restores placeholders in text that arrives in pieces split anywhere. Everything that cannot be the
 * start of a placeholder goes out at once; only a trailing fragment that is still a prefix of one of the
 * vault's placeholders (`[EM`, `[EMAIL_`, `[EMAIL_1`) is held back. The hold is bounded by the longest
 * placeholder, so a stray `[` delays at most that many characters and never stalls the stream.
 */
export function createStreamRestorer(vault: Vault, options?: RestoreOptions): StreamRestorer {
  const placeholders = [...vault.keys()]
  let held = ''
  return {
    push(delta) {
      const text = held + delta
      held = ''
      const open = text.lastIndexOf('[')
      if (open !== -1 && !text.includes(']', open)) {
        const tail = text.slice(open)
        if (placeholders.some((p) => p.startsWith(tail))) {
          held = tail
          return restoreText(text.slice(0, open), vault, options)
        }
      }
      return restoreText(text, vault, options)
    },
    flush() {
      const rest = held
      held = ''
      return rest
    },
  }
}
