import { useMutation, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import type { CacheStatus } from '../../../../src-shared/admin-api'
import { errorMessage } from '../../api/client'
import { formatBytes, formatCount, formatPercent, formatTtl, formatUsd } from '../../format'
import { cacheStatusQuery, clearCache } from '../../queries/cache'

const MODE_LABEL: Record<CacheStatus['mode'], string> = {
  off: 'Off',
  exact: 'Exact: identical requests',
  semantic: 'Semantic: identical or closely similar questions',
}

function Stat(props: { id: string; label: string; value: number | string; text: string }) {
  return (
    <>
      <dt>{props.label}</dt>
      <dd data-testid={`cache-${props.id}`} data-value={props.value}>
        {props.text}
      </dd>
    </>
  )
}

function Counters({ s }: { s: CacheStatus }) {
  return (
    <dl className="kv">
      <Stat id="mode" label="Mode" value={s.mode} text={MODE_LABEL[s.mode]} />
      <Stat id="ttl" label="Answers kept for" value={s.ttlSeconds} text={formatTtl(s.ttlSeconds)} />
      <Stat
        id="entries"
        label="Entries"
        value={s.entries}
        text={`${formatCount(s.entries)} of ${formatCount(s.maxEntries)}`}
      />
      <Stat
        id="size"
        label="Size"
        value={s.bytes}
        text={`${formatBytes(s.bytes)} of ${formatBytes(s.maxMb * 1024 * 1024)}`}
      />
      <Stat id="hits" label="Hits" value={s.hits} text={formatCount(s.hits)} />
      <Stat id="misses" label="Misses" value={s.misses} text={formatCount(s.misses)} />
      <Stat
        id="hit-rate"
        label="Hit rate"
        value={s.hits + s.misses > 0 ? s.hits / (s.hits + s.misses) : ''}
        text={formatPercent(s.hits, s.hits + s.misses)}
      />
      <Stat id="saved" label="Cost saved" value={s.savedUsd} text={formatUsd(s.savedUsd)} />
    </dl>
  )
}

/** Keys & Policies → Cache: the live counters of the gateway's response cache, and clearing it after a confirm. */
export function CacheSection() {
  // Read again every 10 s while the window is visible; the last figures stay on screen if a read fails.
  const query = useQuery(cacheStatusQuery())
  const status = query.data ?? null
  const error = query.error ? errorMessage(query.error) : null
  const load = () => void query.refetch({ cancelRefetch: false })
  const [confirming, setConfirming] = useState(false)
  const clear = useMutation({ mutationFn: clearCache, onSettled: () => setConfirming(false) })
  const clearing = clear.isPending
  const cleared = clear.data?.cleared ?? null
  const clearError = clear.error ? errorMessage(clear.error) : null

  const on = status !== null && status.mode !== 'off'
  return (
    <section
      className="panel stack"
      aria-labelledby="cache-heading"
      aria-busy={status === null && !error}
      data-testid="cache-section"
    >
      <div className="panel-header">
        <h2 id="cache-heading">Cache contents</h2>
        <button type="button" className="small" aria-label="Refresh cache counters" title="Refresh" onClick={load}>
          ⟳
        </button>
      </div>
      {error && (
        <div className="notice" role="alert">
          <span>
            <strong>Could not read the cache.</strong> {error}
            {status && ' The figures below are from the last successful read.'}
          </span>
          <button type="button" onClick={load}>
            Retry
          </button>
        </div>
      )}
      {status && !on && (
        <p>
          The response cache is off: every call goes to its provider. Choose Exact or Semantic above and save to turn it
          on; routes and keys that set their own cache are listed there too.
        </p>
      )}
      {on && (
        <>
          <Counters s={status} />
          <p className="field-hint">Hits, misses and cost saved count since the gateway started.</p>
          {confirming ? (
            <div className="row">
              <span>
                Clear all {formatCount(status.entries)} cached {status.entries === 1 ? 'answer' : 'answers'}? The next
                identical calls go to their provider again.
              </span>
              <button type="button" className="danger" disabled={clearing} onClick={() => clear.mutate()}>
                {clearing ? 'Clearing…' : 'Yes, clear'}
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </div>
          ) : (
            <div className="row">
              <button type="button" onClick={() => setConfirming(true)} disabled={status.entries === 0}>
                Clear cache
              </button>
              {status.entries === 0 && <span className="muted">Nothing cached yet.</span>}
            </div>
          )}
        </>
      )}
      {cleared !== null && (
        <p className="success" role="status">
          ✔ Cleared {formatCount(cleared)} cached {cleared === 1 ? 'answer' : 'answers'}.
        </p>
      )}
      {clearError && (
        <p className="error" role="alert">
          Could not clear the cache: {clearError}
        </p>
      )}
    </section>
  )
}
