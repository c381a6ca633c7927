import { join } from 'node:path'
import { safeStorage } from 'electron'
import {
  createSealedFileStore,
  defaultSecretStore,
  KEYCHAIN_FILE_NAME,
  type SecretStore,
} from '../src-gateway/config/secrets.js'

/**
 * Provider keys sealed by the OS keychain (Keychain, DPAPI, libsecret/kwallet) through safeStorage, in
 * a file in the data dir. Where safeStorage would only obfuscate (Linux without a keyring reports
 * `basic_text`), the headless choice applies instead: SWITCHYARD_SECRET_KEY's encrypted file, or memory.
 * Call after the app is ready.
 */
export function keychainSecretStore(dataDir: string): SecretStore {
  const usable =
    safeStorage.isEncryptionAvailable() &&
    (process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text')
  if (!usable) return defaultSecretStore(dataDir)
  return createSealedFileStore(
    join(dataDir, KEYCHAIN_FILE_NAME),
    {
      sealedBy: 'electron-safe-storage',
      seal: (plain) => safeStorage.encryptString(plain),
      open: (sealed) => safeStorage.decryptString(sealed),
    },
    { kind: 'os-keychain' },
  )
}
