import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../config/load.js'
import { createPriceBook } from './price-book.js'

const config = parseConfig(
  `
providers:
  openai: { type: openai }
  claude: { type: anthropic }
  gem: { type: gemini }
  local: { type: ollama }
  lmstudio: { type: openai-compatible, baseUrl: "http://127.0.0.1:1234/v1" }
  groq: { type: openai-compatible, baseUrl: "https://api.groq.com/openai/v1" }
  corp: { type: openai-compatible, baseUrl: "https://llm.corp.example/v1" }
  cpp: { type: llamacpp }
  gpu: { type: ollama, baseUrl: "http://gpu-box:11434", local: false }
  proxy: { type: openai, baseUrl: "http://127.0.0.1:4000/v1" }
  own: { type: openai, baseUrl: "http://127.0.0.1:4000/v1", local: true }
pricing:
  openai/gpt-4o-mini: { input: 1, output: 2, cachedInput: 0.5 }
  house-model: { input: 10, output: 20 }
  local/llama3.2: { input: 0.1, output: 0.2 }
`,
  'yaml',
).resolved
const book = createPriceBook(config)
const M = 1_000_000

describe('PriceBook', () => {
  it('prices from the bundled table by provider type, cache reads at their own rate', () => {
    // gpt-4o: 2.5 in, 1.25 cached, 10 out per 1M.
    expect(book.cost({ providerId: 'openai', model: 'gpt-4o', usage: { input: M, output: M } })).toBeCloseTo(12.5)
    expect(
      book.cost({ providerId: 'openai', model: 'gpt-4o', usage: { input: M, output: 0, cached: M / 2 } }),
    ).toBeCloseTo(0.5 * 2.5 + 0.5 * 1.25)
    // claude-sonnet-4-5 below its 200k tier: 3 in, 3.75 cache write, 0.3 cache read, 15 out.
    const k = 10_000
    expect(
      book.cost({
        providerId: 'claude',
        model: 'claude-sonnet-4-5',
        usage: { input: 3 * k, output: k, cached: k, cacheWrite: k },
      }),
    ).toBeCloseTo(((3 + 3.75 + 0.3 + 15) * k) / M, 9)
    // Gemini maps to the table's `google` provider.
    expect(book.cost({ providerId: 'gem', model: 'gemini-2.5-flash', usage: { input: M, output: M } })).toBeCloseTo(
      0.3 + 2.5,
    )
  })

  it('lets config overrides win, keyed provider/model first and then by bare model name', () => {
    expect(
      book.cost({ providerId: 'openai', model: 'gpt-4o-mini', usage: { input: 2 * M, output: M, cached: M } }),
    ).toBeCloseTo(1 + 0.5 + 2)
    expect(book.cost({ providerId: 'corp', model: 'house-model', usage: { input: M, output: M } })).toBeCloseTo(30)
    expect(book.cost({ providerId: 'local', model: 'llama3.2', usage: { input: M, output: M } })).toBeCloseTo(0.3)
  })

  it('charges nothing for local providers (by type, or local: true) unless overridden', () => {
    expect(book.cost({ providerId: 'local', model: 'gpt-4o', usage: { input: M, output: M } })).toBe(0)
    expect(book.cost({ providerId: 'lmstudio', model: 'gpt-4o', usage: { input: M, output: M } })).toBe(0)
    expect(book.cost({ providerId: 'cpp', model: 'qwen', usage: { input: M, output: M } })).toBe(0)
    expect(book.cost({ providerId: 'own', model: 'gpt-4o', usage: { input: M, output: M } })).toBe(0)
  })

  it('prices a cloud type at a loopback URL, and a local type that says local: false', () => {
    expect(book.cost({ providerId: 'proxy', model: 'gpt-4o', usage: { input: M, output: M } })).toBeCloseTo(12.5)
    expect(book.cost({ providerId: 'gpu', model: 'gpt-4o', usage: { input: M, output: 0 } })).toBeCloseTo(2.5)
  })

  it('follows a config change: new providers and pricing apply to the next look-up', () => {
    const changing = createPriceBook(parseConfig('providers: {}', 'yaml').resolved)
    const usage = { input: M, output: M }
    expect(changing.cost({ providerId: 'lan', model: 'gpt-4o', usage })).toBeCloseTo(12.5)
    changing.applyConfig(
      parseConfig('providers: { lan: { type: ollama } }\npricing: { lan/big: { input: 1, output: 1 } }', 'yaml')
        .resolved,
    )
    expect(changing.cost({ providerId: 'lan', model: 'gpt-4o', usage })).toBe(0)
    expect(changing.cost({ providerId: 'lan', model: 'big', usage })).toBeCloseTo(2)
  })

  it('finds models of OpenAI-compatible hosts by URL, then by name', () => {
    const groq = book.describe('llama-3.3-70b-versatile', 'groq')
    expect(groq?.source).toBe('genai-prices')
    expect(groq?.inputPerMtokUsd).toBeGreaterThan(0)
    expect(book.cost({ providerId: 'corp', model: 'gpt-4o', usage: { input: M, output: 0 } })).toBeCloseTo(2.5)
  })

  it('answers null for models nobody prices', () => {
    expect(book.cost({ providerId: 'openai', model: 'no-such-model-x', usage: { input: 1, output: 1 } })).toBeNull()
    expect(book.cost({ providerId: 'corp', model: 'no-such-model-x', usage: { input: 1, output: 1 } })).toBeNull()
    // An OpenAI account does not serve Groq's models: no price borrowed from another vendor.
    expect(
      book.cost({ providerId: 'openai', model: 'llama-3.3-70b-versatile', usage: { input: 1, output: 1 } }),
    ).toBeNull()
    expect(book.describe('no-such-model-x', 'openai')).toBeNull()
  })

  it('describes per-model prices for the UI', () => {
    expect(book.describe('claude-sonnet-4-5', 'claude')).toMatchObject({
      source: 'genai-prices',
      inputPerMtokUsd: 3,
      outputPerMtokUsd: 15,
      cachedInputPerMtokUsd: 0.3,
      cacheWritePerMtokUsd: 3.75,
      contextWindow: 200_000,
    })
    expect(book.describe('gpt-4o-mini', 'openai')).toMatchObject({ source: 'config', inputPerMtokUsd: 1 })
    expect(book.describe('llama3.1', 'local')).toMatchObject({ source: 'local', inputPerMtokUsd: 0 })
  })
})

/** The docs' (or README's) example of a `pricing:` section, as written there. */
function documentedPricingExample(): string {
  const root = join(import.meta.dirname, '../..')
  const files = [join(root, 'README.md')]
  const docs = join(root, 'docs')
  if (existsSync(docs)) {
    for (const f of readdirSync(docs, { recursive: true, encoding: 'utf8' }))
      if (f.endsWith('.md')) files.push(join(docs, f))
  }
  const blocks = files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]))
  const example = blocks.find((b) => /^pricing:/m.test(b) && /\blocal: false\b/.test(b))
  if (!example) throw new Error('no documented pricing: example')
  return example
}

describe('the documented pricing example', () => {
  it('prices as the docs say', () => {
    const documented = createPriceBook(parseConfig(documentedPricingExample(), 'yaml').resolved)
    const usage = { input: M, output: M }
    expect(documented.cost({ providerId: 'gpu', model: 'llama3.3:70b', usage })).toBeCloseTo(0.8)
    expect(documented.cost({ providerId: 'proxy', model: 'gpt-4o', usage })).toBeCloseTo(12.5)
    expect(
      documented.cost({ providerId: 'proxy', model: 'house-model', usage: { input: M, output: 0, cached: M } }),
    ).toBeCloseTo(0.25)
  })
})
