import { useRef } from 'react'
import { useAppStore } from '../../store'
import { ExportButtons } from './ExportButtons'
import { LogDrawer } from './LogDrawer'
import { LogFilters } from './LogFilters'
import { LoggingOffNotice, useLoggingOff } from './LoggingOffNotice'
import { LogTable } from './LogTable'
import { useLiveTail } from './use-live-tail'
import { useLogList } from './use-log-list'
import { useLogsKeyboard } from './use-logs-keyboard'
import { useLogsUrlState } from './use-logs-url-state'

export function LogsPage() {
  const loggingOff = useLoggingOff()
  const { error, retry } = useLogList(!loggingOff)
  const drawerOpen = useAppStore((s) => s.detailId !== null)
  const viewportRef = useRef<HTMLDivElement>(null)
  const searchRef = useRef<HTMLInputElement>(null)
  useLogsUrlState(loggingOff)
  useLiveTail(viewportRef, !loggingOff)
  const keys = useLogsKeyboard(viewportRef, searchRef)

  if (loggingOff) {
    return (
      <main className="page">
        <header className="page-header">
          <h1>Logs</h1>
        </header>
        <LoggingOffNotice />
      </main>
    )
  }
  return (
    <main className="page">
      <header className="page-header">
        <h1>Logs</h1>
        <span className="spacer" />
        <ExportButtons />
      </header>
      <LogFilters searchRef={searchRef} />
      {error && (
        <div className="notice" role="alert">
          <span>
            <strong>Could not load logs.</strong> {error}
          </span>
          <button type="button" onClick={retry}>
            Retry
          </button>
        </div>
      )}
      <LogTable viewportRef={viewportRef} keys={keys} />
      {drawerOpen && <LogDrawer onClose={keys.closeDrawer} />}
    </main>
  )
}
