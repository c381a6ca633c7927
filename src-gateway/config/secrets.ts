import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { ensurePrivateDir } from '../paths.js'
import type { SecretLookup } from './load.js'

/**
 * Where `${secret:NAME}` values live. The gateway only needs these five operations; how values are
 * kept (OS keychain through Electron, an encrypted file, memory) is the caller's choice.
 */
export interface SecretStore extends SecretLookup {
  /** 'os-keychain' (Electron safeStorage), 'encrypted-file' (SWITCHYARD_SECRET_KEY or a generated key) or 'memory'. */
  readonly kind: string
  /** Whether values survive a restart; a memory store's do not. */
  readonly persisted: boolean
  /**
   * The file next to the store that holds its generated key, when there is one: whoever can read the
   * data folder can then read the secrets, which `switchyard serve` says at start.
   */
  readonly keyFile?: string
  set(name: string, value: string): void
  delete(name: string): void
  names(): string[]
}

/** Seals single values; the AES one below, or Electron's safeStorage wrapped by src-main. */
export interface SecretCipher {
  /** Written into the file, so a file sealed one way is never opened the other. */
  readonly sealedBy: string
  seal(plain: string): Buffer
  open(sealed: Buffer): string
}

/**
 * Whether a stored name is the gateway's own (team mode's TOTP key, `team:totp-key`) rather than a config field's:
 * its `:` is outside what a `${secret:…}` reference may spell, so no config can name it, and the config store does
 * not drop it as unreferenced.
 */
export const isGatewaySecret = (name: string) => name.includes(':')

export class SecretStoreError extends Error {
  override name = 'SecretStoreError'
}

const FILE_FORMAT = 'switchyard-secrets/1'

/** Where the AES cipher's passphrase came from; written into the file so a missing one is named. */
type KeySource = 'SWITCHYARD_SECRET_KEY' | 'secret-key file'

interface SealedFile {
  format: string
  sealedBy: string
  /** Key-derivation salt of the AES cipher. */
  salt?: string
  /** The AES cipher's passphrase source; files written before it existed were sealed with SWITCHYARD_SECRET_KEY. */
  keyFrom?: KeySource
  values: Record<string, string>
}

export function createMemorySecretStore(): SecretStore {
  const values = new Map<string, string>()
  return {
    kind: 'memory',
    persisted: false,
    get: (name) => values.get(name),
    set: (name, value) => void values.set(name, value),
    delete: (name) => void values.delete(name),
    names: () => [...values.keys()],
  }
}

function readSealedFile(path: string): SealedFile | undefined {
  if (!existsSync(path)) return undefined
  let file: SealedFile
  try {
    file = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new SecretStoreError(`secret file ${path} is not readable: ${(err as Error).message}`)
  }
  if (file?.format !== FILE_FORMAT || typeof file.values !== 'object') {
    throw new SecretStoreError(`secret file ${path} is not a ${FILE_FORMAT} file`)
  }
  return file
}

/**
 * A JSON file of individually sealed values, rewritten whole (and atomically, owner-only) on each
 * change. Every value is opened once, at start: a wrong key fails loudly then, not at the first request.
 */
export function createSealedFileStore(
  path: string,
  cipher: SecretCipher,
  opts: { kind: string; salt?: string; keyFrom?: KeySource; keyFile?: string },
): SecretStore {
  const file = readSealedFile(path)
  if (file && file.sealedBy !== cipher.sealedBy) {
    throw new SecretStoreError(`secret file ${path} was sealed by ${file.sealedBy}, not ${cipher.sealedBy}`)
  }
  const sealed = new Map(Object.entries(file?.values ?? {}))
  const plain = new Map<string, string>()
  for (const [name, value] of sealed) {
    try {
      plain.set(name, cipher.open(Buffer.from(value, 'base64')))
    } catch {
      throw new SecretStoreError(
        `cannot decrypt secret '${name}' in ${path}: the key differs from the one that sealed it`,
      )
    }
  }
  const save = () => {
    const out: SealedFile = {
      format: FILE_FORMAT,
      sealedBy: cipher.sealedBy,
      salt: opts.salt,
      keyFrom: opts.keyFrom,
      values: Object.fromEntries(sealed),
    }
    mkdirSync(dirname(path), { recursive: true })
    const tmp = `${path}.${process.pid}.tmp`
    writeFileSync(tmp, `${JSON.stringify(out, null, 2)}\n`, { mode: 0o600 })
    renameSync(tmp, path)
  }
  return {
    kind: opts.kind,
    persisted: true,
    keyFile: opts.keyFile,
    get: (name) => plain.get(name),
    set(name, value) {
      if (plain.get(name) === value) return
      plain.set(name, value)
      sealed.set(name, cipher.seal(value).toString('base64'))
      save()
    },
    delete(name) {
      if (!plain.delete(name)) return
      sealed.delete(name)
      save()
    },
    names: () => [...plain.keys()],
  }
}

const IV_BYTES = 12
const TAG_BYTES = 16

/** AES-256-GCM with a key derived from a passphrase by scrypt: sealed = iv | tag | ciphertext. */
export function createAesGcmCipher(passphrase: string, salt: Buffer): SecretCipher {
  const key = scryptSync(passphrase, salt, 32)
  return {
    sealedBy: 'aes-256-gcm',
    seal(plain) {
      const iv = randomBytes(IV_BYTES)
      const c = createCipheriv('aes-256-gcm', key, iv)
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()])
      return Buffer.concat([iv, c.getAuthTag(), body])
    },
    open(sealed) {
      const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES))
      d.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
      return Buffer.concat([d.update(sealed.subarray(IV_BYTES + TAG_BYTES)), d.final()]).toString('utf8')
    },
  }
}

/**
 * The headless store: `path` sealed with a key derived from `passphrase` and the file's own salt.
 * `keyFile` is where a generated passphrase is kept; without one it is SWITCHYARD_SECRET_KEY.
 */
export function openEncryptedFileStore(path: string, passphrase: string, keyFile?: string): SecretStore {
  const salt = readSealedFile(path)?.salt ?? randomBytes(16).toString('base64')
  return createSealedFileStore(path, createAesGcmCipher(passphrase, Buffer.from(salt, 'base64')), {
    kind: 'encrypted-file',
    salt,
    keyFrom: keyFile ? 'secret-key file' : 'SWITCHYARD_SECRET_KEY',
    keyFile,
  })
}

/** File names differ per cipher: the desktop app and `switchyard serve` may share one data dir. */
export const ENCRYPTED_FILE_NAME = 'secrets.enc.json'
export const KEYCHAIN_FILE_NAME = 'secrets.keychain.json'
/** The generated passphrase of the encrypted file when SWITCHYARD_SECRET_KEY is not set. */
const SECRET_KEY_FILE_NAME = 'secret-key'

/** The data dir's generated passphrase: read, or made once (32 random bytes, owner-only). */
function readOrCreateKeyFile(dataDir: string, keyFile: string): string {
  ensurePrivateDir(dataDir)
  if (!existsSync(keyFile)) {
    try {
      // 'wx': of two processes starting at once, one writes and both read the same key.
      writeFileSync(keyFile, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
  }
  const key = readFileSync(keyFile, 'utf8').trim()
  if (key === '')
    throw new SecretStoreError(`${keyFile} is empty: restore it from a backup, or set SWITCHYARD_SECRET_KEY`)
  return key
}

/**
 * The store the headless gateway uses when the caller gives none: an encrypted file in the data dir,
 * sealed with SWITCHYARD_SECRET_KEY when that is set, else with a key generated into
 * DATA_DIR/secret-key, so keys entered in the UI survive a restart either way. A file sealed one way
 * is never opened (or silently replaced) the other way. Without a data dir: memory.
 */
export function defaultSecretStore(dataDir: string | undefined, env: NodeJS.ProcessEnv = process.env): SecretStore {
  if (!dataDir) return createMemorySecretStore()
  const path = join(dataDir, ENCRYPTED_FILE_NAME)
  const keyFile = join(dataDir, SECRET_KEY_FILE_NAME)
  const file = readSealedFile(path)
  const sealedWith = file && (file.keyFrom ?? 'SWITCHYARD_SECRET_KEY')
  const passphrase = env.SWITCHYARD_SECRET_KEY
  if (passphrase) {
    if (sealedWith === 'secret-key file') {
      throw new SecretStoreError(
        `${path} was sealed with the generated key in ${keyFile}, not SWITCHYARD_SECRET_KEY: unset SWITCHYARD_SECRET_KEY to open it`,
      )
    }
    return openEncryptedFileStore(path, passphrase)
  }
  if (sealedWith === 'SWITCHYARD_SECRET_KEY') {
    throw new SecretStoreError(
      `${path} was sealed with SWITCHYARD_SECRET_KEY, which is not set: set it to the value it had, or move the file away to start with no stored secrets`,
    )
  }
  return openEncryptedFileStore(path, readOrCreateKeyFile(dataDir, keyFile), keyFile)
}
