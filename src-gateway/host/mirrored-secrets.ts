import type { SecretStore } from '../config/secrets.js'
import type { SecretStoreName, SecretsSnapshot } from './messages.js'

/**
 * The gateway process's view of one of main's secret stores. Only main can seal (Electron's safeStorage
 * works in the main process alone), so values arrive opened in the start message and each change goes
 * back to main, which seals and writes the file: the gateway process never holds the keychain, and the
 * file has one writer. Messages on one port keep their order, so main applies changes as they were made.
 */
export function mirroredSecretStore(
  store: SecretStoreName,
  snapshot: SecretsSnapshot,
  tellMain: (change: { store: SecretStoreName; name: string; value?: string }) => void,
): SecretStore {
  const values = new Map(Object.entries(snapshot.values))
  return {
    kind: snapshot.kind,
    persisted: snapshot.persisted,
    keyFile: snapshot.keyFile,
    get: (name) => values.get(name),
    set(name, value) {
      if (values.get(name) === value) return
      values.set(name, value)
      tellMain({ store, name, value })
    },
    delete(name) {
      if (!values.delete(name)) return
      tellMain({ store, name })
    },
    names: () => [...values.keys()],
  }
}

/** What main sends of its own store: every opened value, for the gateway process's memory only. */
export function snapshotOf(store: SecretStore): SecretsSnapshot {
  return {
    kind: store.kind,
    persisted: store.persisted,
    keyFile: store.keyFile,
    values: Object.fromEntries(store.names().map((name) => [name, store.get(name) ?? ''])),
  }
}
