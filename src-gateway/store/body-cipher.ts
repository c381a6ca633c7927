import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { type SecretStore, SecretStoreError } from '../config/secrets.js'

/**
 * Seals text kept at rest (request log bodies; the response cache takes the same object) and opens
 * it again. Sealed text is self-describing, so a table may mix rows stored before and after
 * encryption was turned on.
 */
export interface BodyCipher {
  /** `enc:v1:` + base64(iv | tag | ciphertext), with a fresh random IV for every value. */
  seal(text: string): string
  /** The plain text of a sealed value; text that is not sealed comes back as it is. Throws BodyOpenError. */
  open(text: string): string
}

/** Thrown by `open` when the key is not the one that sealed the value, or the value was altered. */
export class BodyOpenError extends Error {
  override name = 'BodyOpenError'
}

/**
 * No body key can be had, or the one given is malformed. A SecretStoreError, so `switchyard serve`
 * exits with the message instead of a stack trace.
 */
export class BodyKeyError extends SecretStoreError {
  override name = 'BodyKeyError'
}

export const BODY_KEY_ENV = 'SWITCHYARD_BODY_KEY'
/** The body key's name in the keychain store the desktop app dedicates to it. */
export const BODY_KEY_SECRET = 'body-key'

const PREFIX = 'enc:v1:'
const ALGORITHM = 'aes-256-gcm'
const KEY_BYTES = 32
const IV_BYTES = 12
const TAG_BYTES = 16

export function isSealedBody(text: string): boolean {
  return text.startsWith(PREFIX)
}

export function createBodyCipher(key: Buffer): BodyCipher {
  if (key.length !== KEY_BYTES) throw new BodyKeyError(`a body key is ${KEY_BYTES} bytes, got ${key.length}`)
  return {
    seal(text) {
      const iv = randomBytes(IV_BYTES)
      const c = createCipheriv(ALGORITHM, key, iv)
      const body = Buffer.concat([c.update(text, 'utf8'), c.final()])
      return PREFIX + Buffer.concat([iv, c.getAuthTag(), body]).toString('base64')
    },
    open(text) {
      if (!isSealedBody(text)) return text
      const sealed = Buffer.from(text.slice(PREFIX.length), 'base64')
      if (sealed.length < IV_BYTES + TAG_BYTES) throw new BodyOpenError('sealed body is too short')
      try {
        const d = createDecipheriv(ALGORITHM, key, sealed.subarray(0, IV_BYTES))
        d.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
        return Buffer.concat([d.update(sealed.subarray(IV_BYTES + TAG_BYTES)), d.final()]).toString('utf8')
      } catch {
        throw new BodyOpenError(
          'sealed body does not open with this key (a different key sealed it, or it was altered)',
        )
      }
    },
  }
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/

/**
 * 32 key bytes from 64 hex characters or the base64 of 32 bytes. Anything else is refused rather than
 * stretched from a passphrase: a fixed-salt KDF over a memorable phrase is far weaker than the
 * random key AES-256 expects, and a typo'd key would otherwise silently seal under a new one.
 */
export function parseBodyKey(value: string, source: string): Buffer {
  const v = value.trim()
  if (HEX_KEY.test(v)) return Buffer.from(v, 'hex')
  if (BASE64_KEY.test(v)) {
    const key = Buffer.from(v, 'base64')
    if (key.length === KEY_BYTES) return key
  }
  throw new BodyKeyError(
    `${source} must be 64 hex characters or the base64 of 32 bytes (generate one with \`openssl rand -hex 32\`)`,
  )
}

export interface BodyKeySources {
  /** Where SWITCHYARD_BODY_KEY is read. */
  env: NodeJS.ProcessEnv
  /** A store dedicated to the body key; used only when it is the OS keychain. */
  secrets?: SecretStore
}

/**
 * The key for stored bodies: SWITCHYARD_BODY_KEY when set, else the one kept in the OS keychain
 * store, which `create` makes (random, 32 bytes) on first use. Other stores never hold it: memory
 * would lose it at exit, and the passphrase file is no safer than asking for the key itself.
 */
export function resolveBodyKey({ env, secrets }: BodyKeySources, create = false): Buffer | undefined {
  const fromEnv = env[BODY_KEY_ENV]
  if (fromEnv) return parseBodyKey(fromEnv, BODY_KEY_ENV)
  if (secrets?.kind !== 'os-keychain') return undefined
  const kept = secrets.get(BODY_KEY_SECRET)
  if (kept) return parseBodyKey(kept, `the body key in the ${secrets.kind} store`)
  if (!create) return undefined
  const key = randomBytes(KEY_BYTES)
  secrets.set(BODY_KEY_SECRET, key.toString('hex'))
  return key
}

/**
 * The body cipher for a gateway starting with `encrypt` (config `logs.encryptBodies`). Without
 * encryption it is still returned whenever a key exists, so rows sealed before encryption was turned
 * off stay readable; with encryption and no key, the gateway must not start.
 */
export function bodyCipherFor(encrypt: boolean, sources: BodyKeySources): BodyCipher | undefined {
  const key = resolveBodyKey(sources, encrypt)
  if (encrypt && !key) {
    throw new BodyKeyError(
      `logs.encryptBodies is on but there is no key to encrypt with: set ${BODY_KEY_ENV} to 64 hex characters ` +
        '(generate one with `openssl rand -hex 32`) and keep it safe: bodies sealed with it cannot be read without it',
    )
  }
  return key && createBodyCipher(key)
}
