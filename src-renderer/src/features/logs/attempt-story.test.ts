import { describe, expect, it } from 'vitest'
import { type AttemptFacts, attemptStory } from './attempt-story'

const base: AttemptFacts = {
  status: 200,
  error: null,
  provider: 'mock',
  model: 'mock-gpt',
  latencyMs: 120,
  attempts: 1,
  attemptFailures: [],
  isFallback: false,
  isCacheHit: false,
}
const dead = (model: string, error = 'connect ECONNREFUSED') => ({ provider: 'dead', model, status: 502, error })

describe('attemptStory', () => {
  it('says first attempt only when nothing failed', () => {
    const s = attemptStory(base)
    expect(s.sentence).toBe('Answered on the first attempt.')
    expect(s.rows).toEqual([expect.objectContaining({ provider: 'mock', ok: true })])
  })

  it('counts the failed tries before a fallback answered', () => {
    const s = attemptStory({ ...base, attempts: 2, isFallback: true, attemptFailures: [dead('x')] })
    expect(s.sentence).toBe('Answered on try 2, after 1 failed try, by a fallback target.')
    expect(s.rows.map((r) => r.ok)).toEqual([false, true])
  })

  it('does not list the last failure twice when every try failed', () => {
    const failures = [dead('x'), dead('y')]
    const s = attemptStory({
      ...base,
      ...failures[1],
      error: failures[1].error,
      attempts: 2,
      attemptFailures: failures,
    })
    expect(s.sentence).toBe('Failed: none of the 2 tries answered.')
    expect(s.rows).toHaveLength(2)
  })

  it('tells a skipped target (no call sent) from a failed one: attempts 1 with 2 failures', () => {
    const skipped = { provider: 'busy', model: 'x', error: 'circuit open for busy/x; retry in 30s' }
    const failures = [skipped, dead('y')]
    const s = attemptStory({
      ...base,
      ...failures[1],
      error: failures[1].error,
      attempts: 1,
      attemptFailures: failures,
    })
    expect(s.sentence).toBe(
      'Failed: none of the 2 tries answered; 1 was skipped without calling the provider (circuit open or rate limit).',
    )
    expect(s.rows).toHaveLength(2)
  })

  it('names calls that failed before any provider, and cache hits', () => {
    expect(
      attemptStory({ ...base, status: 404, error: 'unknown model', provider: null, model: null, attempts: 0 }).sentence,
    ).toBe('Failed before any provider was tried.')
    expect(attemptStory({ ...base, attempts: 0, isCacheHit: true }).sentence).toBe(
      'Answered from the gateway cache; no provider was called.',
    )
  })
})
