import { join } from 'node:path'
import { safeStorage } from 'electron'
import {
  createSealedFileStore,
  defaultSecretStore,
  KEYCHAIN_FILE_NAME,
  type SecretCipher,
  type SecretStore,
} from '../src-gateway/config/secrets.js'

/** The log body key's own file: the config's secret store deletes every name the config does not use. */
const BODY_KEY_FILE_NAME = 'body-key.keychain.json'

/** Where safeStorage really encrypts; on Linux without a keyring it reports `basic_text` and only obfuscates. */
function keychainUsable(): boolean {
  return (
    safeStorage.isEncryptionAvailable() &&
    (process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text')
  )
}

const safeStorageCipher: SecretCipher = {
  sealedBy: 'electron-safe-storage',
  seal: (plain) => safeStorage.encryptString(plain),
  open: (sealed) => safeStorage.decryptString(sealed),
}

/**
 * Provider keys sealed by the OS keychain (Keychain, DPAPI, libsecret/kwallet) through safeStorage, in
 * a file in the data dir. Where the keychain is not usable, the headless choice applies instead: an
 * encrypted file sealed with SWITCHYARD_SECRET_KEY or a key generated into the data dir. Call after the app is ready.
 */
export function keychainSecretStore(dataDir: string): SecretStore {
  if (!keychainUsable()) return defaultSecretStore(dataDir)
  return createSealedFileStore(join(dataDir, KEYCHAIN_FILE_NAME), safeStorageCipher, { kind: 'os-keychain' })
}

/**
 * Where the gateway keeps the key that encrypts stored log bodies (`logs.encryptBodies`), so the
 * desktop app needs no SWITCHYARD_BODY_KEY. Undefined where the keychain is not usable: the key must
 * then come from the environment, as in headless mode. Call after the app is ready.
 */
export function keychainBodyKeyStore(dataDir: string): SecretStore | undefined {
  if (!keychainUsable()) return undefined
  return createSealedFileStore(join(dataDir, BODY_KEY_FILE_NAME), safeStorageCipher, { kind: 'os-keychain' })
}
