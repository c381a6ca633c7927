import { useQuery } from '@tanstack/react-query'
import { useEffect } from 'react'
import { errorMessage } from '../../api/client'
import { compareRunQuery } from '../../queries/compare'
import { modelIdsQuery } from '../../queries/models'
import { useAppStore } from '../../store'
import type { CompareTab } from '../../store/compare-slice'
import './compare.css'
import { MatrixSetup } from './MatrixSetup'
import { MatrixTable } from './MatrixTable'
import { ReplaySetup } from './ReplaySetup'
import { SideBySide } from './SideBySide'

const TABS: { id: CompareTab; label: string }[] = [
  { id: 'side', label: 'Side by side' },
  { id: 'matrix', label: 'Matrix' },
  { id: 'replay', label: 'Replay' },
]

function textOf(content: string | { type: string; text?: string }[]): string {
  return typeof content === 'string' ? content : content.map((p) => p.text ?? '').join('\n')
}

export function ComparePage() {
  const tab = useAppStore((s) => s.compareTab)
  const setTab = useAppStore((s) => s.setCompareTab)
  const error = useAppStore((s) => s.matrixError)
  const modelsError = useQuery(modelIdsQuery()).error
  const handoff = useAppStore((s) => (s.handoff?.kind === 'compare' ? s.handoff : null))
  const clearHandoff = useAppStore((s) => s.clearHandoff)
  const setModels = useAppStore((s) => s.setSideModels)
  const setInput = useAppStore((s) => s.setSideInput)
  const setSystem = useAppStore((s) => s.setSideSystem)
  const openRunId = useAppStore((s) => s.openRunId)
  const run = useQuery({ ...compareRunQuery(openRunId ?? 0), enabled: openRunId !== null })
  const hasRun = run.data !== undefined && (run.data.kind === 'replay') === (tab === 'replay')

  // “Open in Compare” in the Playground: its model in the first pane, its last user turn as the input.
  useEffect(() => {
    if (!handoff) return
    const system = handoff.messages.find((m) => m.role === 'system')
    const user = [...handoff.messages].reverse().find((m) => m.role === 'user')
    setModels(handoff.model ? [handoff.model] : [])
    setSystem(system ? textOf(system.content) : '')
    setInput(user ? textOf(user.content) : '')
    setTab('side')
    clearHandoff()
  }, [handoff, clearHandoff, setModels, setInput, setSystem, setTab])

  return (
    <main className="page">
      <header className="page-header">
        <h1>Compare</h1>
      </header>
      <div className="tabs" role="tablist">
        {TABS.map((t) => (
          <button key={t.id} type="button" role="tab" aria-selected={tab === t.id} onClick={() => setTab(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {run.error && (
        <p className="error" role="alert">
          Could not read the run: {errorMessage(run.error)}
        </p>
      )}
      {modelsError && (
        <p className="error" role="alert">
          Could not list models: {errorMessage(modelsError)}
        </p>
      )}
      {tab === 'side' && <SideBySide />}
      {tab === 'matrix' && (
        <div className="stack">
          <MatrixSetup />
          {hasRun && <MatrixTable />}
        </div>
      )}
      {tab === 'replay' && (
        <div className="stack">
          <ReplaySetup />
          {hasRun && <MatrixTable />}
        </div>
      )}
    </main>
  )
}
