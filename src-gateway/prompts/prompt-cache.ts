import type { PromptStore } from './prompt-store.js'
import type { PromptLabel, PromptVersion } from './types.js'

/** Change notices between instances (store/pg/notify.ts's PgNotifier is one). */
export interface ChangeNotices {
  listen(channel: string, listener: (payload: string) => void): () => void
  notify(channel: string, payload: string): Promise<void>
}

/** The notice channel: a prompt's name when that prompt changed, `''` for "re-read every prompt". */
const CHANNEL = 'prompts'
/** The backstop: a cached prompt is read again after this long even when no notice came (one was lost). */
export const PROMPT_CACHE_MS = 5000
/** Postgres refuses longer NOTIFY payloads; a longer name is announced as `''` (everything). */
const MAX_NAME_BYTES = 7999

interface Entry {
  at: number
  workspace?: Promise<string | null>
  latest?: Promise<PromptVersion | null>
  labels?: Promise<PromptLabel[]>
  versions: Map<number, Promise<PromptVersion | null>>
}

/**
 * Keeps what a prompt run reads (a prompt's workspace, latest version, labels and versions) in this instance's
 * memory, so `POST /v1/prompts/{name}/run` makes no database round trip once warm (decision S4). A change made
 * through any instance's store is announced on `notices`, and each instance forgets that prompt; an entry is also
 * read again after PROMPT_CACHE_MS in case a notice was lost. Lists, history and writes go to `inner` as they are.
 */
export function cachedPromptStore(
  inner: PromptStore,
  notices: ChangeNotices,
  clock: () => number = Date.now,
): PromptStore & { close(): void } {
  const entries = new Map<string, Entry>()
  const forget = (name: string) => (name === '' ? entries.clear() : entries.delete(name))
  const unlisten = notices.listen(CHANNEL, forget)
  const entry = (name: string): Entry => {
    let e = entries.get(name)
    if (!e || clock() - e.at >= PROMPT_CACHE_MS) {
      e = { at: clock(), versions: new Map() }
      entries.set(name, e)
    }
    return e
  }
  /** A cached read; a failed one is not kept, so the next call asks the database again. */
  function cached<T>(
    name: string,
    get: (e: Entry) => Promise<T> | undefined,
    set: (e: Entry, p: Promise<T>) => void,
    load: () => Promise<T>,
  ) {
    const e = entry(name)
    const hit = get(e)
    if (hit) return hit
    const p = load()
    set(e, p)
    p.catch(() => {
      if (entries.get(name) === e) entries.delete(name)
    })
    return p
  }
  const changed = async <T>(name: string, write: Promise<T>): Promise<T> => {
    try {
      return await write
    } finally {
      forget(name)
      const payload = Buffer.byteLength(name) > MAX_NAME_BYTES ? '' : name
      // The change is written; an instance that misses the notice reads it again within PROMPT_CACHE_MS.
      notices.notify(CHANNEL, payload).catch(() => undefined)
    }
  }
  const workspaceOf = (name: string) =>
    cached(
      name,
      (e) => e.workspace,
      (e, p) => (e.workspace = p),
      () => inner.workspaceOf(name),
    )
  const getVersion = (name: string, version: number) =>
    cached(
      name,
      (e) => e.versions.get(version),
      (e, p) => e.versions.set(version, p),
      () => inner.getVersion(name, version),
    )
  const listLabels = (name: string) =>
    cached(
      name,
      (e) => e.labels,
      (e, p) => (e.labels = p),
      () => inner.listLabels(name),
    )
  return {
    workspaceOf,
    getVersion,
    latestVersion: (name) =>
      cached(
        name,
        (e) => e.latest,
        (e, p) => (e.latest = p),
        () => inner.latestVersion(name),
      ),
    latestVersionBy: (name, author) => inner.latestVersionBy(name, author),
    async requireVersion(name, version) {
      // A miss (no such version or prompt) asks the database, which names the right error.
      return (await getVersion(name, version)) ?? inner.requireVersion(name, version)
    },
    saveVersion: (name, content, meta) => changed(name, inner.saveVersion(name, content, meta)),
    listVersions: (name, page) => inner.listVersions(name, page),
    listLabels,
    getLabel: async (name, label) => (await listLabels(name)).find((l) => l.label === label) ?? null,
    setLabel: (name, label, target) => changed(name, inner.setLabel(name, label, target)),
    deleteLabel: (name, label) => changed(name, inner.deleteLabel(name, label)),
    labelHistory: (name) => inner.labelHistory(name),
    deletePrompt: (name) => changed(name, inner.deletePrompt(name)),
    getSummary: (name) => inner.getSummary(name),
    listPrompts: (query) => inner.listPrompts(query),
    names: () => inner.names(),
    importEntries: (entries, author) => changed('', inner.importEntries(entries, author)),
    dump: () => inner.dump(),
    restore: (prompts) => changed('', inner.restore(prompts)),
    close: unlisten,
  }
}
