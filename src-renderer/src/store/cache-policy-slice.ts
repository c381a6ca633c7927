import type { StateCreator } from 'zustand'
import type { CacheConfig, PolicyView } from '../../../src-shared/admin-api'
import { errorMessage, fieldErrorsOf } from '../api/client'
import { savePolicy } from '../queries/policies'

export type CacheMode = CacheConfig['mode']

/** The cache section as typed: numbers as strings, empty for the gateway's default. */
export interface CacheDraft {
  mode: CacheMode
  ttlSeconds: string
  maxEntries: string
  maxMb: string
  embeddingModel: string
  threshold: string
}

const text = (v: number | undefined) => (v === undefined ? '' : String(v))

export function cacheDraftOf(view: PolicyView<'cache'>): CacheDraft {
  const c = view.config
  return {
    mode: c?.mode ?? view.defaults.mode,
    ttlSeconds: text(c?.ttlSeconds),
    maxEntries: text(c?.maxEntries),
    maxMb: text(c?.maxMb),
    embeddingModel: c?.semantic?.embeddingModel ?? '',
    threshold: text(c?.semantic?.threshold),
  }
}

/**
 * What the gateway would refuse, keyed like its error `param` (`semantic.embeddingModel`) so a refusal
 * from either side shows beside the same field.
 */
export function cacheDraftErrors(d: CacheDraft): Record<string, string> {
  const errors: Record<string, string> = {}
  const whole = (field: 'ttlSeconds' | 'maxEntries', label: string) => {
    if (d[field] && !(Number.isInteger(Number(d[field])) && Number(d[field]) >= 1))
      errors[field] = `${label} must be a whole number, 1 or more.`
  }
  whole('ttlSeconds', 'The time to live')
  whole('maxEntries', 'The entry limit')
  if (d.maxMb && !(Number(d.maxMb) > 0)) errors.maxMb = 'The size limit must be a number above 0.'
  if (d.mode === 'semantic' && !d.embeddingModel.trim())
    errors['semantic.embeddingModel'] = 'Semantic mode needs the model that embeds questions.'
  else if (d.embeddingModel.trim() && !/^[^/]+\/.+$/.test(d.embeddingModel.trim()))
    errors['semantic.embeddingModel'] = 'Write it as provider/model, e.g. ollama/nomic-embed-text.'
  if (d.threshold && !(Number(d.threshold) >= 0 && Number(d.threshold) <= 1))
    errors['semantic.threshold'] = 'A similarity between 0 and 1.'
  return errors
}

/** The section a draft saves as; empty fields are left out, so the gateway's defaults apply. */
export function cacheConfigOf(d: CacheDraft): CacheConfig {
  const config: CacheConfig = { mode: d.mode }
  if (d.ttlSeconds) config.ttlSeconds = Number(d.ttlSeconds)
  if (d.maxEntries) config.maxEntries = Number(d.maxEntries)
  if (d.maxMb) config.maxMb = Number(d.maxMb)
  // Kept while another mode is chosen: routes and keys may still ask for semantic matching.
  if (d.embeddingModel.trim()) {
    config.semantic = {
      embeddingModel: d.embeddingModel.trim(),
      ...(d.threshold ? { threshold: Number(d.threshold) } : {}),
    }
  }
  return config
}

export function isCacheDirty(view: PolicyView<'cache'> | null, draft: CacheDraft | null): boolean {
  if (!view || !draft) return false
  return JSON.stringify(draft) !== JSON.stringify(cacheDraftOf(view))
}

/** The cache form (the saved section is the query `policyQuery('cache')`). */
export interface CachePolicySlice {
  /** The saved section the draft was made from, to tell an edit from a newer answer of the gateway. */
  cacheBase: PolicyView<'cache'> | null
  cacheDraft: CacheDraft | null
  cacheSaving: boolean
  cacheSaveError: string | null
  /** Field errors by `param`, from the last save the gateway (or the form) refused. */
  cacheFieldErrors: Record<string, string>
  /** Set by a successful save, cleared by the next edit. */
  cacheSaved: boolean
  /** Called with each answer of the query: a clean draft follows the gateway, edits in progress stay. */
  syncCachePolicy(view: PolicyView<'cache'>): void
  updateCacheDraft(patch: Partial<CacheDraft>): void
  discardCacheDraft(): void
  saveCachePolicy(): Promise<boolean>
}

export const createCachePolicySlice: StateCreator<CachePolicySlice, [], [], CachePolicySlice> = (set, get) => ({
  cacheBase: null,
  cacheDraft: null,
  cacheSaving: false,
  cacheSaveError: null,
  cacheFieldErrors: {},
  cacheSaved: false,
  syncCachePolicy(view) {
    const keep = isCacheDirty(get().cacheBase, get().cacheDraft)
    set({ cacheBase: view, ...(keep ? {} : { cacheDraft: cacheDraftOf(view) }) })
  },
  updateCacheDraft(patch) {
    const d = get().cacheDraft
    if (d) set({ cacheDraft: { ...d, ...patch }, cacheSaved: false, cacheSaveError: null, cacheFieldErrors: {} })
  },
  discardCacheDraft() {
    const view = get().cacheBase
    set({ cacheDraft: view ? cacheDraftOf(view) : null, cacheSaveError: null, cacheFieldErrors: {} })
  },
  async saveCachePolicy() {
    const d = get().cacheDraft
    if (!d) return false
    const local = cacheDraftErrors(d)
    if (Object.keys(local).length > 0) {
      set({ cacheFieldErrors: local, cacheSaveError: 'Fix the fields marked below first.' })
      return false
    }
    set({ cacheSaving: true, cacheSaveError: null, cacheFieldErrors: {} })
    try {
      const saved = await savePolicy('cache', cacheConfigOf(d))
      set({ cacheBase: saved, cacheDraft: cacheDraftOf(saved), cacheSaving: false, cacheSaved: true })
      return true
    } catch (err) {
      set({ cacheSaving: false, cacheSaveError: errorMessage(err), cacheFieldErrors: fieldErrorsOf(err) })
      return false
    }
  },
})
