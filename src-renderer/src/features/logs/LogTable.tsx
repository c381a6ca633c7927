import { type RefObject, useEffect, useState } from 'react'
import { formatCount } from '../../format'
import { useAppStore } from '../../store'
import { EMPTY_LOG_FILTERS, hasLogFilters } from '../../store/logs-slice'
import { LOG_COLUMNS, LogRow } from './LogRow'
import { formatTotal } from './log-total'
import { useLogList } from './use-log-list'
import { type LogsKeyboard, ROW_HEIGHT } from './use-logs-keyboard'
import { useViewportHeight } from './use-viewport-height'

const OVERSCAN = 10

function NoRows() {
  const filtered = useAppStore((s) => hasLogFilters(s.logFilters))
  const setFilters = useAppStore((s) => s.setLogFilters)
  return (
    <div className="empty" style={{ margin: 16 }}>
      {filtered ? (
        <>
          <p>No request matches these filters.</p>
          <button type="button" onClick={() => setFilters(EMPTY_LOG_FILTERS)}>
            Clear filters
          </button>
        </>
      ) : (
        <>
          <p>No requests yet. Every call through the gateway appears here within seconds.</p>
          <div className="row">
            <a className="button" href="#/connect">
              Connect a tool
            </a>
            <a className="button" href="#/playground">
              Try the Playground
            </a>
          </div>
        </>
      )}
    </div>
  )
}

/**
 * The rows as a virtual grid: only those in view (plus OVERSCAN) are drawn, and the next page is fetched
 * before the user reaches the end.
 */
export function LogTable({ viewportRef, keys }: { viewportRef: RefObject<HTMLDivElement | null>; keys: LogsKeyboard }) {
  const { items, total, capped, hasMore, loading, loadMore } = useLogList()
  const [scrollTop, setScrollTop] = useState(0)
  const viewportHeight = useViewportHeight(viewportRef)

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN)
  const last = Math.min(items.length, Math.ceil((scrollTop + viewportHeight) / ROW_HEIGHT) + OVERSCAN)
  useEffect(() => {
    if (hasMore && !loading && last >= items.length - OVERSCAN) loadMore()
  }, [hasMore, loading, last, items.length, loadMore])

  return (
    <div className="grid-table">
      <div className="grid-viewport" ref={viewportRef} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
        <table
          className="log-table"
          // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: rows are navigated with arrow keys, j/k and Enter (ui.md §1), which a grid announces
          role="grid"
          aria-label="Request logs"
          aria-rowcount={capped ? -1 : (total ?? items.length) + 1}
          aria-busy={loading}
          data-testid="logs-table"
        >
          <colgroup>
            {LOG_COLUMNS.map((c) => (
              <col key={c.label} style={{ width: c.width }} />
            ))}
          </colgroup>
          <thead>
            <tr aria-rowindex={1}>
              {LOG_COLUMNS.map((c) => (
                <th key={c.label} scope="col" className={c.num ? 'num' : undefined}>
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {first > 0 && <tr className="spacer-row" style={{ height: first * ROW_HEIGHT }} />}
            {items.slice(first, last).map((item, i) => (
              <LogRow
                key={item.id}
                item={item}
                index={first + i}
                selected={first + i === keys.active}
                onOpen={() => keys.openRow(first + i)}
                onKeyDown={keys.onRowKey}
              />
            ))}
            {last < items.length && (
              <tr className="spacer-row" style={{ height: (items.length - last) * ROW_HEIGHT }} />
            )}
          </tbody>
        </table>
        {items.length === 0 && !loading && total !== null && <NoRows />}
      </div>
      <div className="grid-foot">
        <span>
          {total === null
            ? 'Loading…'
            : `${formatCount(capped ? items.length : Math.min(items.length, total))} of ${formatTotal(Math.max(total, items.length), capped)} shown${hasMore ? ' · scroll for more' : ''}`}
        </span>
        <span>↑/↓ or j/k move · Enter opens · / searches</span>
      </div>
    </div>
  )
}
