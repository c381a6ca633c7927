import { randomBytes, scryptSync } from 'node:crypto'
import type { SecretStore } from '../config/secrets.js'
import { createBodyCipher, isSealedBody, parseBodyKey } from '../store/body-cipher.js'

/**
 * The TOTP key's name in the gateway's secret store (the one provider keys live in: the OS keychain, or the data
 * dir's encrypted file). The `:` is outside what a `${secret:…}` reference may spell, so no config field can
 * resolve to it, and the config store does not prune it as an unreferenced name (isGatewaySecret).
 */
export const TOTP_KEY_SECRET = 'team:totp-key'

/** Seals TOTP secrets for the database and opens them again (AES-256-GCM, the body cipher's `enc:v1:` format). */
export interface TotpCipher {
  seal(secret: string): string
  /** The secret of a sealed value; a value stored before sealing existed comes back as it is. */
  open(stored: string): string
}

export class TotpKeyMissingError extends Error {
  override name = 'TotpKeyMissingError'
}

/**
 * TOTP secrets cannot be hashed (the gateway computes codes from them), so they are sealed with a random key kept
 * in the secret store, apart from the database: a copy of the database, or a backup of it, holds no usable secret.
 * The key is made on first use, so a gateway whose accounts have no TOTP writes nothing to the store.
 */
export function totpCipher(secrets: () => SecretStore): TotpCipher {
  const keyOf = (create: boolean) => {
    const store = secrets()
    const kept = store.get(TOTP_KEY_SECRET)
    if (kept) return createBodyCipher(parseBodyKey(kept, `the TOTP key in the ${store.kind} secret store`))
    if (!create) {
      throw new TotpKeyMissingError(
        `the TOTP key is missing from the ${store.kind} secret store: sealed authenticator secrets cannot be opened`,
      )
    }
    const key = randomBytes(32)
    store.set(TOTP_KEY_SECRET, key.toString('hex'))
    return createBodyCipher(key)
  }
  return {
    seal: (secret) => keyOf(true).seal(secret),
    open: (stored) => (isSealedBody(stored) ? keyOf(false).open(stored) : stored),
  }
}

/** Apart from shared-config's and the secret file's contexts, so this key equals neither (same passphrase). */
const PASSPHRASE_CONTEXT = 'switchyard team totp key/1'

/**
 * With the shared Postgres (config `database`), every instance opens every account's TOTP secret, so the key is
 * derived from SWITCHYARD_SECRET_KEY (scrypt, once per process: ~50 ms at start) rather than kept in one instance's
 * secret store. The database alone still holds no usable secret.
 */
export function passphraseTotpCipher(passphrase: string): TotpCipher {
  let cipher: ReturnType<typeof createBodyCipher> | undefined
  const keyed = () => {
    cipher ??= createBodyCipher(scryptSync(passphrase, PASSPHRASE_CONTEXT, 32))
    return cipher
  }
  return {
    seal: (secret) => keyed().seal(secret),
    open: (stored) => (isSealedBody(stored) ? keyed().open(stored) : stored),
  }
}
