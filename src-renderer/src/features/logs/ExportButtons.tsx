import { useEffect, useRef, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { adminApi } from '../../api/admin'
import { errorMessage } from '../../api/client'
import { formatBytes, formatCount } from '../../format'
import { useAppStore } from '../../store'
import { toLogQuery } from '../../store/logs-slice'
import { formatTotal } from './log-total'
import { useLogList } from './use-log-list'

/** Lines so far: every exported row ends with one (CSV adds a header line). */
function countNewlines(chunk: Uint8Array): number {
  let n = 0
  for (const byte of chunk) if (byte === 10) n++
  return n
}

/** Downloads the rows the filters in effect match, as CSV or JSONL, with progress and a way to stop. */
export function ExportButtons() {
  const filters = useAppStore(useShallow((s) => s.logFilters))
  const { total, capped } = useLogList()
  const [error, setError] = useState<string | null>(null)
  const [progress, setProgress] = useState<{ bytes: number; rows: number } | null>(null)
  const abortRef = useRef<AbortController | null>(null)
  useEffect(() => () => abortRef.current?.abort(), [])
  const download = async (format: 'csv' | 'jsonl') => {
    setError(null)
    const abort = new AbortController()
    abortRef.current = abort
    const sofar = { bytes: 0, rows: format === 'csv' ? -1 : 0 }
    setProgress({ bytes: 0, rows: 0 })
    try {
      await adminApi.exportLogs(
        toLogQuery(filters),
        format,
        (chunk) => {
          sofar.bytes += chunk.byteLength
          sofar.rows += countNewlines(chunk)
          setProgress({ bytes: sofar.bytes, rows: Math.max(0, sofar.rows) })
        },
        abort.signal,
      )
    } catch (err) {
      if (!abort.signal.aborted) setError(errorMessage(err))
    } finally {
      abortRef.current = null
      setProgress(null)
    }
  }
  return (
    <div className="row">
      {progress ? (
        <>
          <span className="muted" role="status" data-testid="export-progress">
            Exporting… {formatCount(progress.rows)} rows, {formatBytes(progress.bytes)}
          </span>
          <button type="button" onClick={() => abortRef.current?.abort()}>
            Cancel
          </button>
        </>
      ) : (
        <>
          <span className="muted">Export {total === null ? '' : `${formatTotal(total, capped)} rows`}</span>
          <button type="button" onClick={() => void download('csv')} disabled={!total}>
            CSV
          </button>
          <button type="button" onClick={() => void download('jsonl')} disabled={!total}>
            JSONL
          </button>
        </>
      )}
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </div>
  )
}
