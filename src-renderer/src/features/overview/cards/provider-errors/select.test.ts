import { describe, expect, it } from 'vitest'
import type { StatsResult } from '../../../../../../src-shared/admin-api'
import { providerErrors } from './select'

const group = (group: string | null, requests: number, errors: number) => ({
  group,
  requests,
  errors,
  latencyMs: { p50: 10, p95: 20, p99: 30 },
})
const byProvider = (groups: ReturnType<typeof group>[]) => ({ groupBy: 'provider', groups }) as unknown as StatsResult

describe('errors by provider', () => {
  it('lists the providers that failed most first, then by rate, and leaves out providers without traffic', () => {
    const rows = providerErrors(
      byProvider([group('openai', 100, 2), group('groq', 4, 2), group(null, 3, 3), group('idle', 0, 0)]),
    )
    expect(rows.map((r) => [r.provider, r.errors, r.rate])).toEqual([
      [null, 3, 1],
      ['groq', 2, 0.5],
      ['openai', 2, 0.02],
    ])
    expect(rows[0]?.latencyP95).toBe(20)
  })

  it('keeps to the limit', () => {
    const many = Array.from({ length: 12 }, (_, i) => group(`p${i}`, 10, i))
    expect(providerErrors(byProvider(many), 3).map((r) => r.provider)).toEqual(['p11', 'p10', 'p9'])
  })
})
