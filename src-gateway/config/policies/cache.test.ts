import { describe, expect, it } from 'vitest'
import { cacheSettings, validateCache, validateCacheOverride } from './cache.js'

describe('validateCache', () => {
  it('accepts the documented forms', () => {
    expect(validateCache({ mode: 'exact', ttlSeconds: 3600 }, '/cache')).toEqual([])
    expect(validateCache({ mode: 'off' }, '/cache')).toEqual([])
    expect(
      validateCache(
        {
          mode: 'semantic',
          maxEntries: 50,
          maxMb: 1.5,
          semantic: { embeddingModel: 'ollama/nomic-embed-text', threshold: 0.9 },
        },
        '/cache',
      ),
    ).toEqual([])
  })

  it('names each field at fault', () => {
    expect(
      validateCache(
        { mode: 'fuzzy', ttlSeconds: 1.5, maxMb: 0, extra: 1, semantic: { threshold: 2 } },
        '/cache',
      ).sort(),
    ).toEqual([
      '/cache/extra: is not a known field',
      '/cache/maxMb: must be > 0',
      '/cache/mode: must be one of off, exact, semantic',
      '/cache/semantic/embeddingModel: is required',
      '/cache/semantic/threshold: must be <= 1',
      '/cache/ttlSeconds: must be integer',
    ])
  })

  it('requires the embedding model in semantic mode, as provider/model', () => {
    expect(validateCache({ mode: 'semantic' }, '/cache')).toEqual([
      '/cache/semantic: is required when mode is semantic (it names the embedding model)',
    ])
    expect(validateCache({ mode: 'semantic', semantic: { embeddingModel: 'nomic' } }, '/cache')).toHaveLength(1)
  })

  it('refuses an override that turns on semantic mode without a gateway embedding model, or sets the caps', () => {
    expect(validateCacheOverride({ mode: 'semantic' }, '/routes/fast/cache', { mode: 'exact' })).toEqual([
      "/routes/fast/cache/mode: semantic needs cache.semantic (the embedding model) in the gateway's cache section",
    ])
    expect(validateCacheOverride({ maxEntries: 5 }, '/keys/0/cache', { mode: 'exact' })).toEqual([
      '/keys/0/cache/maxEntries: is not a known field',
    ])
    expect(
      validateCacheOverride({ mode: 'semantic', semantic: { threshold: 0.8 } }, '/keys/0/cache', {
        mode: 'exact',
        semantic: { embeddingModel: 'openai/text-embedding-3-small' },
      }),
    ).toEqual([])
  })
})

describe('cacheSettings', () => {
  const semantic = { mode: 'semantic' as const, semantic: { embeddingModel: 'openai/text-embedding-3-small' } }

  it('fills in the defaults, and is undefined when the cache is off', () => {
    expect(cacheSettings({ mode: 'exact' })).toEqual({ mode: 'exact', ttlSeconds: 3600 })
    expect(cacheSettings(semantic)).toEqual({
      mode: 'semantic',
      ttlSeconds: 3600,
      semantic: { embeddingModel: 'openai/text-embedding-3-small', threshold: 0.95 },
    })
    expect(cacheSettings(undefined)).toBeUndefined()
    expect(cacheSettings({ mode: 'off' })).toBeUndefined()
  })

  it('applies overrides in order, the last one winning', () => {
    expect(cacheSettings({ mode: 'off' }, { mode: 'exact', ttlSeconds: 60 })).toEqual({ mode: 'exact', ttlSeconds: 60 })
    expect(
      cacheSettings({ ...semantic, ttlSeconds: 600 }, { semantic: { threshold: 0.8 } }, { mode: 'off' }),
    ).toBeUndefined()
    expect(
      cacheSettings({ ...semantic, ttlSeconds: 600 }, { semantic: { threshold: 0.8 } }, { ttlSeconds: 5 }),
    ).toEqual({
      mode: 'semantic',
      ttlSeconds: 5,
      semantic: { embeddingModel: 'openai/text-embedding-3-small', threshold: 0.8 },
    })
    expect(cacheSettings(semantic, { mode: 'exact' })).toEqual({ mode: 'exact', ttlSeconds: 3600 })
  })
})
