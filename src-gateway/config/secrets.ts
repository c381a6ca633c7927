import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { SecretLookup } from './load.js'

/**
 * Where `${secret:NAME}` values live. The gateway only needs these five operations; how values are
 * kept (OS keychain through Electron, an encrypted file, memory) is the caller's choice.
 */
export interface SecretStore extends SecretLookup {
  /** 'os-keychain' (Electron safeStorage), 'encrypted-file' (SWITCHYARD_SECRET_KEY) or 'memory'. */
  readonly kind: string
  /** Whether values survive a restart; a memory store's do not. */
  readonly persisted: boolean
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

export class SecretStoreError extends Error {
  override name = 'SecretStoreError'
}

const FILE_FORMAT = 'switchyard-secrets/1'

interface SealedFile {
  format: string
  sealedBy: string
  /** Key-derivation salt of the AES cipher. */
  salt?: string
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
  opts: { kind: string; salt?: string },
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

/** The headless store: `path` sealed with a key derived from `passphrase` and the file's own salt. */
export function openEncryptedFileStore(path: string, passphrase: string): SecretStore {
  const salt = readSealedFile(path)?.salt ?? randomBytes(16).toString('base64')
  return createSealedFileStore(path, createAesGcmCipher(passphrase, Buffer.from(salt, 'base64')), {
    kind: 'encrypted-file',
    salt,
  })
}

/** File names differ per cipher: the desktop app and `switchyard serve` may share one data dir. */
export const ENCRYPTED_FILE_NAME = 'secrets.enc.json'
export const KEYCHAIN_FILE_NAME = 'secrets.keychain.json'

/**
 * The store the headless gateway uses when the caller gives none: an encrypted file in the data dir
 * when SWITCHYARD_SECRET_KEY is set, else memory (keys entered in the UI last until the process ends).
 */
export function defaultSecretStore(dataDir: string | undefined, env: NodeJS.ProcessEnv = process.env): SecretStore {
  const passphrase = env.SWITCHYARD_SECRET_KEY
  if (dataDir && passphrase) return openEncryptedFileStore(join(dataDir, ENCRYPTED_FILE_NAME), passphrase)
  return createMemorySecretStore()
}
