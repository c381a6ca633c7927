import type { LogItem } from '../../../../src-shared/admin-api'

export type AttemptFacts = Pick<
  LogItem,
  'status' | 'error' | 'provider' | 'model' | 'latencyMs' | 'attempts' | 'attemptFailures' | 'isFallback' | 'isCacheHit'
>

export interface TryRow {
  provider: string
  model: string
  status: number | null
  error: string | null
  ok: boolean
}

const tries = (n: number, adjective = '') => `${n} ${adjective}${n === 1 ? 'try' : 'tries'}`

/**
 * The tries of one call in order, and a sentence saying how it ended, both read from the failures list.
 * `attempts` counts only the calls sent upstream: a target skipped for an open circuit or its provider's
 * rate limit is a failure without a call, so `attempts` alone can say "first attempt" beside failures.
 * When the call gave up, its last failure is the final outcome and is listed once.
 */
export function attemptStory(d: AttemptFacts): { rows: TryRow[]; sentence: string } {
  const failures = d.attemptFailures ?? []
  const last = failures.at(-1)
  const gaveUp =
    d.status >= 400 &&
    last !== undefined &&
    last.provider === d.provider &&
    last.model === d.model &&
    last.error === d.error
  const rows: TryRow[] = failures.map((f) => ({
    provider: f.provider,
    model: f.model,
    status: f.status ?? null,
    error: f.error,
    ok: false,
  }))
  const reachedProvider = d.provider !== null
  if (!gaveUp && (reachedProvider || rows.length === 0)) {
    rows.push({
      provider: d.provider ?? '—',
      model: d.model ?? '—',
      status: d.status,
      error: d.error,
      ok: d.status < 400,
    })
  }
  // A cache hit calls no provider, so it has nothing to skip.
  const skipped = d.isCacheHit ? 0 : Math.max(0, rows.filter((r) => r.provider !== '—').length - d.attempts)
  const skippedNote =
    skipped > 0
      ? `; ${skipped} ${skipped === 1 ? 'was' : 'were'} skipped without calling the provider (circuit open or rate limit)`
      : ''
  return { rows, sentence: `${sentenceFor(d, failures.length, gaveUp, reachedProvider)}${skippedNote}.` }
}

function sentenceFor(d: AttemptFacts, failed: number, gaveUp: boolean, reachedProvider: boolean): string {
  if (d.isCacheHit) return 'Answered from the gateway cache; no provider was called'
  if (d.status < 400) {
    if (failed === 0) return 'Answered on the first attempt'
    return `Answered on try ${failed + 1}, after ${tries(failed, 'failed ')}${d.isFallback ? ', by a fallback target' : ''}`
  }
  if (gaveUp)
    return failed === 1 ? 'Failed: the only try did not answer' : `Failed: none of the ${tries(failed)} answered`
  if (!reachedProvider) return 'Failed before any provider was tried'
  return `Failed after the provider was called on try ${failed + 1}`
}
